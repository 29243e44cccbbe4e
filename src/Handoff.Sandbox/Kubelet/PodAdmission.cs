using System.Text.Json.Nodes;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Scheduling;

namespace Handoff.Sandbox.Kubelet;

/// <summary>The kubelet's verdict on a pod bound to its node: admitted, or rejected with a reason and message.</summary>
internal sealed record AdmissionResult(bool Admitted, string Reason = "", string Message = "")
{
    public static AdmissionResult Admit { get; } = new(true);
}

/// <summary>
/// The kubelet's predicate admission (pkg/kubelet/lifecycle/predicate.go): the pod's effective request must fit in
/// the node's allocatable minus what the pods it admitted earlier (and that are not terminal) request, and one more
/// <c>pods</c>; the node must match its nodeSelector and required node affinity; every NoExecute taint must be
/// tolerated. Only the first failure is reported: <c>OutOfcpu</c>, <c>OutOfmemory</c>, <c>OutOfpods</c>,
/// <c>OutOf&lt;extended resource&gt;</c>, <c>NodeAffinity</c>, <c>TaintToleration</c>.
/// </summary>
internal static class PodAdmission
{
    public static AdmissionResult Check(JsonObject pod, JsonObject node, IReadOnlyCollection<ResourceAmounts> admittedRequests)
    {
        var spec = pod["spec"];
        var used = new ResourceAmounts();
        foreach (var requests in admittedRequests)
        {
            used.Add(requests);
        }

        var allocatable = ResourceAmounts.From(node["status"]?["allocatable"]);
        var insufficient = NodeResourcesFit.Check(PodRequests.Effective(spec), allocatable, used, admittedRequests.Count, ignoreMissingExtended: true);
        if (insufficient.Count > 0)
        {
            return new AdmissionResult(false, insufficient[0].KubeletReason, insufficient[0].KubeletMessage);
        }

        if (!NodeAffinity.Matches(spec, node))
        {
            return new AdmissionResult(false, "NodeAffinity", "Predicate NodeAffinity failed: " + NodeAffinity.MismatchReason);
        }

        if (Taints.FirstUntolerated(node, spec, "NoExecute") is not null)
        {
            return new AdmissionResult(false, "TaintToleration", "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate");
        }

        return AdmissionResult.Admit;
    }
}
