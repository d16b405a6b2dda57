package io.etcdpilot.operator.etcd;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A gRPC marshaller for messages encoded by hand (fields jetcd 0.8.5's generated types lack). */
final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
  static final RawBytes INSTANCE = new RawBytes();

  private RawBytes() {}

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
