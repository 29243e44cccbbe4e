namespace Handoff.Api.V1Alpha1;

/// <summary>Names shared by the CRDs, the operator, the sandbox and the chart.</summary>
public static class HandoffApi
{
    public const string Group = "handoff.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Category = "handoff";

    public const string NodeKind = "HandoffNode";
    public const string NodePlural = "handoffnodes";
    public const string NodeSingular = "handoffnode";
    public const string NodeShortName = "hn";

    public const string FunctionKind = "HandoffFunction";
    public const string FunctionPlural = "handofffunctions";
    public const string FunctionSingular = "handofffunction";
    public const string FunctionShortName = "hf";

    public const string QueueKind = "HandoffQueue";
    public const string QueuePlural = "handoffqueues";
    public const string QueueSingular = "handoffqueue";
    public const string QueueShortName = "hq";

    public const string DefaultSchedulerName = "handoff";

    /// <summary>Label on every function pod: the function's name.</summary>
    public const string FunctionLabel = "handoff.dev/function";

    /// <summary>Label on every function pod: the attempt number, from 1.</summary>
    public const string AttemptLabel = "handoff.dev/attempt";

    /// <summary>Annotation on a function pod: the HandoffNode that holds its capacity.</summary>
    public const string HandoffNodeAnnotation = "handoff.dev/node";

    /// <summary>
    /// How long each attempt runs (e.g. 30s, 1.5s, 2m): read by <c>handoff plan</c> on the function and by the
    /// sandbox's simulated kubelet on the pod.
    /// </summary>
    public const string DurationAnnotation = "handoff.dev/duration";

    /// <summary>Planner only: <c>Failed</c> makes every attempt fail.</summary>
    public const string OutcomeAnnotation = "handoff.dev/outcome";

    /// <summary>Deprecated: the old, sandbox-only name of <see cref="DurationAnnotation"/>, still read where that is absent (with a warning from the CLI).</summary>
    public const string SandboxDurationAnnotation = "handoff.dev/sandbox-duration";

    /// <summary>Sandbox kubelet: the exit code of the first container.</summary>
    public const string SandboxExitCodeAnnotation = "handoff.dev/sandbox-exit-code";

    /// <summary>Sandbox kubelet: the termination message of the first container.</summary>
    public const string SandboxResultAnnotation = "handoff.dev/sandbox-result";

    public const int DefaultMaxRetries = 3;
    public const int MaxResultBytes = 4096;

    /// <summary>
    /// Annotation on a pod Handoff placed: the cost it holds (a JSON object of resource quantities), fixed when it is
    /// placed, so a later edit of <c>spec.cost</c> only affects the next attempt.
    /// </summary>
    public const string CostAnnotation = "handoff.dev/cost";

    /// <summary>The finalizers subresource of HandoffFunctions (pods block their owner's deletion, which needs update on it).</summary>
    public const string FunctionFinalizersResource = FunctionPlural + "/finalizers";

    /// <summary>Annotation on a plain pod Handoff schedules: its strategy (FirstAvailable, LoadBalanced or BestFit).</summary>
    public const string StrategyAnnotation = "handoff.dev/strategy";

    /// <summary>Annotation on a plain pod Handoff schedules: the HandoffQueue it is admitted through.</summary>
    public const string QueueAnnotation = "handoff.dev/queue";
}
