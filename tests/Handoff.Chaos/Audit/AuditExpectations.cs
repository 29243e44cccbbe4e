using Handoff.Chaos.Workload;

namespace Handoff.Chaos.Audit;

/// <summary>What the auditor holds the journal to.</summary>
/// <param name="Namespace">The workload's namespace (function pods elsewhere are not audited).</param>
/// <param name="Functions">Each function's args and extraArgs (for <c>HANDOFF_ARGS</c>).</param>
/// <param name="Outcomes">How each function must end.</param>
/// <param name="LeaseNamespace">Namespace of the operators' lease.</param>
/// <param name="LeaseName">Name of the operators' lease.</param>
/// <param name="Pauses">The SIGSTOP episodes, for the fencing report.</param>
public sealed record AuditExpectations(
    string Namespace,
    IReadOnlyDictionary<string, ChaosFunction> Functions,
    IReadOnlyDictionary<string, ExpectedOutcome> Outcomes,
    string LeaseNamespace,
    string LeaseName,
    IReadOnlyList<PauseEpisode> Pauses)
{
    /// <summary>The <c>User-Agent</c> of the operator's requests starts with this; the lease identity follows in parentheses.</summary>
    public const string OperatorAgentPrefix = "handoff-operator/";

    public static AuditExpectations For(ChaosWorkload workload, string leaseNamespace, string leaseName, IReadOnlyList<PauseEpisode> pauses) => new(
        workload.Namespace,
        workload.Functions.ToDictionary(f => f.Name, StringComparer.Ordinal),
        ExpectedOutcome.For(workload),
        leaseNamespace,
        leaseName,
        pauses);
}
