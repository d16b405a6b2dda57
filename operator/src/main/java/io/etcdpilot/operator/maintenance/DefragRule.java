package io.etcdpilot.operator.maintenance;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When a member is worth defragmenting: a CEL expression (the language of Kubernetes' own validation rules) over the
 * member's sizes, with the names Cluster API's etcd maintenance uses. The default rule is one too, so a user's rule and
 * the default take the same path.
 */
public final class DefragRule {
  /**
   * Free space of at least 100 MiB and 45 % of the file (worth the pause; OpenShift's thresholds), or a database near
   * its quota (80 %) with at least 10 % to give back.
   */
  public static final String DEFAULT_EXPRESSION = "(dbSizeFree >= 100 * 1024 * 1024 && dbSizeFree * 100 >= dbSize * 45)"
      + " || (dbQuotaUsage >= 0.8 && dbSizeFree * 10 >= dbSize)";
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("dbSize", SimpleType.INT)
      .addVar("dbSizeInUse", SimpleType.INT)
      .addVar("dbSizeFree", SimpleType.INT)
      .addVar("dbQuota", SimpleType.INT)
      .addVar("dbQuotaUsage", SimpleType.DOUBLE)
      .setResultType(SimpleType.BOOL)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  /** Compiled rules by text: a pass evaluates them for every member, compiling takes milliseconds. */
  private static final Map<String, DefragRule> COMPILED = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, DefragRule> eldest) {
      return size() > 256;
    }
  };
  private static final DefragRule DEFAULT = compile(DEFAULT_EXPRESSION);

  /** A rule that does not compile, or is not a bool; the message is CEL's, with the position. */
  public static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  private final String expression;
  private final CelRuntime.Program program;

  private DefragRule(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  public static DefragRule defaultRule() {
    return DEFAULT;
  }

  /** The rule a spec names: its own expression, or the default when it gives none. */
  public static DefragRule of(String expression) throws Invalid {
    if (expression == null || expression.isBlank()) return DEFAULT;
    synchronized (COMPILED) {
      DefragRule known = COMPILED.get(expression);
      if (known != null) return known;
    }
    DefragRule rule;
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
      rule = new DefragRule(expression, RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      throw new Invalid(e.getMessage());
    } catch (CelEvaluationException e) {
      throw new Invalid(e.getMessage());
    }
    synchronized (COMPILED) {
      COMPILED.put(expression, rule);
    }
    return rule;
  }

  private static DefragRule compile(String expression) {
    try {
      return of(expression);
    } catch (Invalid e) {
      throw new IllegalStateException("the default defragmentation rule does not compile: " + e.getMessage(), e);
    }
  }

  public String expression() {
    return expression;
  }

  /**
   * Whether the member should be defragmented.
   * @throws IllegalStateException when the expression fails on these sizes (e.g. an overflow), with CEL's words
   */
  public boolean holds(DbSizes s) {
    try {
      Object result = program.eval(Map.of("dbSize", s.dbSize(), "dbSizeInUse", s.dbSizeInUse(), "dbSizeFree", s.free(),
          "dbQuota", s.dbQuota(), "dbQuotaUsage", s.quotaUsage()));
      return Boolean.TRUE.equals(result);
    } catch (CelEvaluationException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
