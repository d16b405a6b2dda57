package io.etcdpilot.sandbox.apiserver;

/** An error the API server answers with a metav1.Status of this code and reason. */
public class ApiException extends RuntimeException {
  private final int code;
  private final String reason;

  public ApiException(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  public int code() { return code; }
  public String reason() { return reason; }

  public static ApiException notFound(ResourceType t, String name) {
    return new ApiException(404, "NotFound", t.plural() + (t.group().isEmpty() ? "" : "." + t.group()) + " \""
        + name + "\" not found");
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message);
  }
}
