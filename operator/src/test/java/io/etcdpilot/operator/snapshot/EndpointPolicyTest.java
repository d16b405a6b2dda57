package io.etcdpilot.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Where snapshot stores may be, by default and as the operator's setting allows. */
class EndpointPolicyTest {
  @ParameterizedTest(name = "{0} allowing [{1}]: refused {2}")
  @CsvSource(delimiter = '|', value = {
      "https://s3.eu-west-1.amazonaws.com |  | false",
      "https://minio.example.com:9000 |  | false",
      "https://10.20.0.5:9000 |  | false",             // on-premises stores live in private ranges
      " |  | false",                                    // no endpoint: the provider's own for the region
      "http://s3.example.com |  | true",
      "http://s3.example.com | http | false",
      "https://169.254.169.254/latest/meta-data | http | true",
      "https://169.254.169.254 | link-local | false",
      "https://[fe80::1]:9000 |  | true",
      "https://127.0.0.1:9000 |  | true",
      "https://127.0.0.1:9000 | loopback | false",
      "https://localhost:9000 |  | true",
      "https://[::1]:9000 |  | true",
      "https://0.0.0.0:9000 |  | true",
      "https://minio.storage.svc:9000 |  | true",
      "https://minio.storage.svc.cluster.local |  | true",
      "https://minio |  | true",
      "https://minio.storage.svc | cluster-internal | false",
      "http://127.101.0.2:9000 | http,loopback | false",   // the sandbox's store
      "ftp://s3.example.com |  | true",
      "https://user:pw@s3.example.com |  | true",
  })
  void refusals(String endpoint, String allow, boolean refused) {
    EndpointPolicy policy = EndpointPolicy.parse(allow == null ? "" : allow, "cluster.local");
    assertThat(policy.refusal(endpoint)).as(endpoint + " with " + allow).matches(r -> r.isPresent() == refused);
  }

  @Test
  void aPublicLookingNameThatResolvesToLoopbackOrMetadataIsRefusedAtUse() throws Exception {
    // Refused by the address it resolves to, as the taker looks it up right before it connects.
    java.net.InetAddress loopback = java.net.InetAddress.getByName("127.0.0.1");
    java.net.InetAddress metadata = java.net.InetAddress.getByName("169.254.169.254");
    java.net.InetAddress outside = java.net.InetAddress.getByName("203.0.113.7");
    assertThat(EndpointPolicy.STRICT.refusal("https://evil.example.com", h -> new java.net.InetAddress[] {loopback}))
        .hasValueSatisfying(r -> assertThat(r).contains("127.0.0.1").contains("loopback"));
    assertThat(EndpointPolicy.STRICT.refusal("https://evil.example.com", h -> new java.net.InetAddress[] {outside, metadata}))
        .hasValueSatisfying(r -> assertThat(r).contains("link-local"));
    assertThat(EndpointPolicy.STRICT.refusal("https://s3.example.com", h -> new java.net.InetAddress[] {outside})).isEmpty();
  }

  @Test
  void anUnknownWordInTheSettingIsNamed() {
    assertThatThrownBy(() -> EndpointPolicy.parse("http,everything", "cluster.local"))
        .hasMessageContaining("everything").hasMessageContaining("cluster-internal");
  }
}
