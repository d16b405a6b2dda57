package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.pki.CertificateManager;
import io.etcdpilot.operator.pki.SecretStore;
import io.etcdpilot.operator.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The render stage with records in and out: invalid specs are an outcome of their own, and touch nothing. */
class RenderStageTest {
  final Instant now = Instant.parse("2026-12-06T10:00:00Z");
  final RenderStage render = new RenderStage(new SpecValidator(), new CertificateManager(), OperatorSettings.defaults());

  /** Fails the test on any write: an invalid spec must leave every Secret alone. */
  static final class NoWrites implements SecretStore {
    final List<String> reads = new ArrayList<>();

    @Override public Secret owned(String name) { reads.add(name); return null; }
    @Override public Secret userProvided(String name) { reads.add(name); return null; }
    @Override public void write(Secret desired, Secret live) {
      throw new AssertionError("wrote Secret " + desired.getMetadata().getName());
    }
  }

  @Test
  void anInvalidSpecIsInvalidNamingTheFieldAndIssuesNothing() {
    EtcdCluster cluster = StageFixtures.cluster(s -> {
      s.setVersion("3.9.0");
      s.setTls(new TlsSpec()); // TLS on: a valid spec would issue certificates here
    });
    NoWrites secrets = new NoWrites();
    PassEvents events = new PassEvents();

    Rendering r = render.render(StageFixtures.fresh(cluster), secrets, events, now);

    assertThat(r).isInstanceOf(Rendering.Invalid.class);
    assertThat(((Rendering.Invalid) r).violations()).extracting(SpecViolation::field).containsExactly("spec.version");
    assertThat(secrets.reads).as("no certificate is even looked at").isEmpty();
    assertThat(events.entries()).isEmpty();
  }

  @Test
  void switchingTlsOffOnAFormedClusterIsInvalid() {
    EtcdCluster formedWithTls = StageFixtures.cluster(s -> s.setTls(new TlsSpec()));
    EtcdCluster now = StageFixtures.cluster(s -> { });

    Rendering r = render.render(StageFixtures.state(now, formedWithTls), new NoWrites(), new PassEvents(), this.now);

    assertThat(r).isInstanceOf(Rendering.Invalid.class);
    assertThat(((Rendering.Invalid) r).violations()).singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.tls.enabled"));
  }

  @Test
  void aCaThatCannotBeUsedIsInvalidNamingCaSecretName() {
    EtcdCluster cluster = StageFixtures.cluster(s -> {
      TlsSpec tls = new TlsSpec();
      tls.setCaSecretName("corp-ca");
      s.setTls(tls);
    });

    Rendering r = render.render(StageFixtures.fresh(cluster), new NoWrites(), new PassEvents(), now);

    assertThat(r).isInstanceOf(Rendering.Invalid.class);
    assertThat(((Rendering.Invalid) r).violations()).singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.tls.caSecretName"));
  }

  @Test
  void aValidSpecIsDesiredWithItsWarnings() {
    EtcdCluster cluster = StageFixtures.cluster(s -> s.setReplicas(4));

    Rendering r = render.render(StageFixtures.fresh(cluster), new NoWrites(), new PassEvents(), now);

    assertThat(r).isInstanceOf(Rendering.Desired.class);
    Rendering.Desired d = (Rendering.Desired) r;
    assertThat(d.objects().replicas()).isEqualTo(4);
    assertThat(d.tls()).as("TLS off: no certificates").isEmpty();
    assertThat(d.warnings()).singleElement().asString().contains("even");
  }
}
