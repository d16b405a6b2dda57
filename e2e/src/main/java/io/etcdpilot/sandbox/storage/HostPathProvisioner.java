package io.etcdpilot.sandbox.storage;

import io.etcdpilot.sandbox.FileTrees;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's dynamic volume provisioner, in the role an external CSI provisioner plays: a claim of the default
 * StorageClass {@value #STORAGE_CLASS} gets a PersistentVolume backed by a directory on this machine (named after
 * the volume, so a claim created again under the same name starts empty), which the real PV controller binds; a
 * released volume (claim deleted, reclaim policy Delete) loses its directory and its PV object. The volume has no
 * node affinity: all nodes are this machine, so a pod moved to another node keeps its data. The class allows
 * expansion, and the provisioner also plays the external resizer (and the kubelet's file system step): a bound
 * claim asking for more gets it in its volume's and its own capacity (a directory has no size to change).
 */
public final class HostPathProvisioner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostPathProvisioner.class);
  public static final String STORAGE_CLASS = "sandbox-ssd";
  public static final String PROVISIONER = "sandbox.etcdpilot.io/hostpath";
  private static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

  private final KubernetesClient client;
  private final Path volumes;
  private final ExecutorService work = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "provisioner");
    t.setDaemon(true);
    return t;
  });
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> pvs;

  public HostPathProvisioner(KubernetesClient client, Path volumes) {
    this.client = client;
    this.volumes = volumes;
  }

  public void start() {
    client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName(STORAGE_CLASS)
        .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
        .withProvisioner(PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("Immediate")
        .withAllowVolumeExpansion(true).build()).create();
    pvs = client.persistentVolumes().inform(handler(this::onVolume), 30_000);
    claims = client.persistentVolumeClaims().inAnyNamespace().inform(handler(this::onClaim), 30_000);
  }

  private <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> action) {
    return new ResourceEventHandler<>() {
      @Override public void onAdd(T o) { work.execute(() -> action.accept(o)); }
      @Override public void onUpdate(T old, T o) { work.execute(() -> action.accept(o)); }
      @Override public void onDelete(T o, boolean unknown) { }
    };
  }

  /** Where a bound claim's data lives, if it is bound to a volume of ours. */
  public Optional<Path> path(String namespace, String claim) {
    PersistentVolumeClaim pvc = claims.getStore().getByKey(namespace + "/" + claim);
    if (pvc == null || pvc.getMetadata().getDeletionTimestamp() != null || pvc.getSpec().getVolumeName() == null || pvc.getSpec().getVolumeName().isEmpty()) return Optional.empty();
    PersistentVolume pv = pvs.getStore().getByKey(pvc.getSpec().getVolumeName());
    if (pv == null || pv.getSpec().getHostPath() == null) return Optional.empty();
    return Optional.of(Path.of(pv.getSpec().getHostPath().getPath()));
  }

  private void onClaim(PersistentVolumeClaim pvc) {
    boolean ours = STORAGE_CLASS.equals(pvc.getSpec().getStorageClassName());
    boolean pending = pvc.getSpec().getVolumeName() == null || pvc.getSpec().getVolumeName().isEmpty();
    if (!ours || pvc.getMetadata().getDeletionTimestamp() != null) return;
    if (!pending) {
      resizeIfAsked(pvc);
      return;
    }
    String name = "pvc-" + pvc.getMetadata().getUid();
    if (pvs.getStore().getByKey(name) != null) return;
    Path dir = volumes.resolve(name);
    try {
      Files.createDirectories(dir);
      Quantity size = Optional.ofNullable(pvc.getSpec().getResources().getRequests()).map(r -> r.get("storage"))
          .orElse(new Quantity("1Gi"));
      client.persistentVolumes().resource(new PersistentVolumeBuilder()
          .withNewMetadata().withName(name).addToAnnotations(PROVISIONED_BY, PROVISIONER).endMetadata()
          .withNewSpec()
            .withCapacity(Map.of("storage", size))
            .withAccessModes(pvc.getSpec().getAccessModes())
            .withStorageClassName(STORAGE_CLASS)
            .withPersistentVolumeReclaimPolicy("Delete")
            .withNewClaimRef().withNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
              .withUid(pvc.getMetadata().getUid()).withApiVersion("v1").withKind("PersistentVolumeClaim").endClaimRef()
            .withNewHostPath().withPath(dir.toString()).withType("Directory").endHostPath()
          .endSpec().build()).create();
      log.info("provisioned {} for claim {}/{}", name, pvc.getMetadata().getNamespace(), pvc.getMetadata().getName());
    } catch (IOException | KubernetesClientException e) {
      if (e instanceof KubernetesClientException k && k.getCode() == 409) return;
      log.warn("cannot provision a volume for {}/{}: {}", pvc.getMetadata().getNamespace(), pvc.getMetadata().getName(), e.toString());
    }
  }

  private void resizeIfAsked(PersistentVolumeClaim pvc) {
    Quantity asked = pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null ? null
        : pvc.getSpec().getResources().getRequests().get("storage");
    Quantity has = pvc.getStatus() == null || pvc.getStatus().getCapacity() == null ? null
        : pvc.getStatus().getCapacity().get("storage");
    if (asked == null || has == null || Quantity.getAmountInBytes(asked).compareTo(Quantity.getAmountInBytes(has)) <= 0) {
      return;
    }
    try {
      client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).edit(pv -> {
        pv.getSpec().getCapacity().put("storage", asked);
        return pv;
      });
      client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
          .editStatus(c -> {
            c.getStatus().getCapacity().put("storage", asked);
            if (c.getStatus().getAllocatedResources() != null) c.getStatus().getAllocatedResources().put("storage", asked);
            c.getStatus().setAllocatedResourceStatuses(null);
            c.getStatus().setConditions(null);
            return c;
          });
      log.info("resized {} for claim {}/{}: {} -> {}", pvc.getSpec().getVolumeName(), pvc.getMetadata().getNamespace(),
          pvc.getMetadata().getName(), has, asked);
    } catch (KubernetesClientException e) {
      log.warn("cannot resize the volume of {}/{}: {}", pvc.getMetadata().getNamespace(), pvc.getMetadata().getName(),
          e.toString());
    }
  }

  private void onVolume(PersistentVolume pv) {
    if (!PROVISIONER.equals(pv.getMetadata().getAnnotations() == null ? null : pv.getMetadata().getAnnotations().get(PROVISIONED_BY))) return;
    if (pv.getStatus() == null || !"Released".equals(pv.getStatus().getPhase())) return;
    if (!"Delete".equals(pv.getSpec().getPersistentVolumeReclaimPolicy())) return;
    try {
      FileTrees.delete(Path.of(pv.getSpec().getHostPath().getPath()));
      client.persistentVolumes().resource(pv).delete();
      log.info("deleted {} and its data (claim {}/{} gone)", pv.getMetadata().getName(),
          pv.getSpec().getClaimRef().getNamespace(), pv.getSpec().getClaimRef().getName());
    } catch (IOException | KubernetesClientException e) {
      log.warn("cannot delete volume {}: {}", pv.getMetadata().getName(), e.toString());
    }
  }

  @Override
  public void close() {
    if (claims != null) claims.close();
    if (pvs != null) pvs.close();
    work.shutdownNow();
  }
}
