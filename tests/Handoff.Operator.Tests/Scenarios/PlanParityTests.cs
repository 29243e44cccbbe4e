using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Planning;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Operator.Tests.Support;
using Handoff.Sandbox;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// <c>handoff plan</c>'s prediction equals what the operator does on the examples. The plan is built exactly as
/// <c>handoff plan -f</c> builds it (<see cref="PlanInput"/>: HandoffNodes, Nodes, other workloads' pods, functions and
/// plain pods, read back from the cluster so that creation order is the operator's). The test replays the planner's
/// timeline: at each instant it ends the pods the plan ends (with the operator stopped, so all ends of an instant
/// happen together, as in the plan), starts an operator, waits for the pods the plan starts then, stops it and
/// compares — every placement, and the final phase, node and attempts of every function and plain pod.
/// </summary>
public sealed class PlanParityTests
{
    private static readonly TimeSpan PlanTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("seed")]
    [InlineData("dag")]
    [InlineData("unschedulable")]
    [InlineData("real-cluster")]
    [InlineData("queues")]
    public async Task The_operator_places_the_examples_exactly_as_the_planner_predicts(string example)
    {
        var docs = ManifestPaths.Expand([Path.Combine(RepoPaths.Examples, example)])
            .SelectMany(f => ManifestReader.Read(f, TextReader.Null)).Select(ManifestReader.ToTyped).Select(d => d.Object).ToList();
        var handoffNodes = docs.OfType<HandoffNode>().ToList();
        var kubernetesNodes = docs.OfType<V1Node>().ToList();
        var simulated = kubernetesNodes.Select(n => SandboxNode.FromManifest(JsonNode.Parse(KubernetesJson.Serialize(n))!.AsObject()))
            .Concat(handoffNodes.Select(HandoffMapper.KubernetesNodeName).Where(name => kubernetesNodes.All(n => n.Metadata.Name != name)).Distinct().Select(name => new SandboxNode(name)));
        await using var cluster = await SandboxCluster.StartAsync(simulated);
        foreach (var n in handoffNodes)
        {
            await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(n, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: SandboxCluster.Ct);
        }

        foreach (var o in docs)
        {
            switch (o)
            {
                case HandoffQueue q:
                    await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(q, HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, cancellationToken: SandboxCluster.Ct);
                    break;
                case V1PriorityClass pc:
                    await cluster.Client.SchedulingV1.CreatePriorityClassAsync(pc, cancellationToken: SandboxCluster.Ct);
                    break;
                case HandoffFunction f:
                    await cluster.CreateFunctionAsync(f);
                    break;
                case V1Pod p:
                    p.Metadata.NamespaceProperty = cluster.Namespace;
                    await cluster.Client.CoreV1.CreateNamespacedPodAsync(p, cluster.Namespace, cancellationToken: SandboxCluster.Ct);
                    break;
            }
        }

        // The plan of what the cluster now holds (as `kubectl get -o yaml | handoff plan -f -` would read it).
        var created = new List<object>(handoffNodes);
        created.AddRange(kubernetesNodes);
        created.AddRange(docs.OfType<HandoffQueue>());
        created.AddRange(docs.OfType<V1PriorityClass>());
        created.AddRange(await cluster.ListFunctionsAsync());
        created.AddRange((await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, cancellationToken: SandboxCluster.Ct)).Items);
        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. created.Select(o => JsonNode.Parse(KubernetesJson.Serialize(o)))]) };
        var input = PlanInput.Build(ManifestReader.ReadTyped(list.ToJsonString(), "cluster"), AllocationStrategy.FirstAvailable);
        Assert.Empty(input.Problems);
        var plan = Planner.Run(input.Nodes, input.Functions, input.Options, SandboxCluster.Ct);
        string KubernetesNodeOf(string handoffNode) => HandoffMapper.KubernetesNodeName(handoffNodes.Single(n => n.Metadata.Name == handoffNode));

        foreach (var t in plan.Events.Select(e => e.Time).Distinct().Order())
        {
            foreach (var end in plan.Events.Where(e => e.Time == t && e.Kind is PlanEventKind.Succeeded or PlanEventKind.Failed))
            {
                var pod = await PodOfAsync(cluster, end.Id, end.Attempt);
                await cluster.FinishPodAsync(pod, "r", end.Kind == PlanEventKind.Succeeded ? 0 : 1);
            }

            var starts = plan.Events.Where(e => e.Time == t && e.Kind == PlanEventKind.Started).ToList();
            var op = await cluster.StartOperatorAsync();

            // Victims: the operator deletes their pods; with no kubelet the test removes them (as a kubelet would once
            // they stopped), and the preemptors are placed once they are gone, at the same instant of the plan.
            foreach (var victim in plan.Events.Where(e => e.Time == t && e.Kind == PlanEventKind.Preempted))
            {
                var pod = await Wait.ForAsync(
                    () => cluster.Client.CoreV1.ReadNamespacedPodAsync($"{NameOf(victim.Id)}-{victim.Attempt}", cluster.Namespace, cancellationToken: SandboxCluster.Ct),
                    p => p.Metadata.DeletionTimestamp is not null, $"{victim.Id}'s pod is deleted", PlanTimeout);
                await cluster.Client.CoreV1.DeleteNamespacedPodAsync(
                    pod.Metadata.Name, cluster.Namespace, new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } },
                    cancellationToken: SandboxCluster.Ct);
            }

            foreach (var start in starts)
            {
                var pod = await PodOfAsync(cluster, start.Id, start.Attempt);
                Assert.True(KubernetesNodeOf(start.Node) == pod.Spec.NodeName,
                    $"at {t.TotalSeconds}s the plan starts {start.Id} on {start.Node}; the operator bound it to {pod.Spec.NodeName}");
            }

            if (starts.Count == 0)
            {
                await Wait.UntilAsync(() => op.Operator.Passes > 0, "one reconcile pass");
            }

            await cluster.StopOperatorAsync(op);
            // Every attempt started so far, unless its last word is that it was preempted (its pod is gone until it starts again).
            var planned = plan.Events.Where(e => e.Time <= t && !IsPod(e.Id) && e.Kind is PlanEventKind.Started or PlanEventKind.Preempted)
                .GroupBy(e => $"{NameOf(e.Id)}-{e.Attempt}").Where(g => g.Last().Kind == PlanEventKind.Started)
                .Select(g => g.Key).Order().ToList();
            var actual = (await cluster.PodsAsync()).Select(p => p.Metadata.Name).Order().ToList();
            Assert.Equal(planned, actual);
        }

        var final = await cluster.StartOperatorAsync();
        await Wait.UntilAsync(() => final.Operator.Passes > 0, "a full reconcile pass of the last operator");
        foreach (var expected in plan.Functions)
        {
            if (IsPod(expected.Id))
            {
                var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(NameOf(expected.Id), cluster.Namespace, cancellationToken: SandboxCluster.Ct);
                Assert.Equal(expected.Phase == FunctionPhase.Succeeded ? "Succeeded" : "Pending", pod.Status?.Phase ?? "Pending");
                Assert.Equal(expected.Node is null ? null : KubernetesNodeOf(expected.Node), pod.Spec.NodeName);
                continue;
            }

            var name = NameOf(expected.Id);
            var (phase, check) = expected.Phase switch
            {
                FunctionPhase.Succeeded => (FunctionPhases.Succeeded, (Func<HandoffFunction, bool>)(_ => true)),
                FunctionPhase.Failed => (FunctionPhases.Failed, _ => true),
                FunctionPhase.Waiting => (FunctionPhases.Waiting, _ => true),
                _ => (FunctionPhases.Pending, f => f.Status.Conditions?.Any(c => c.Reason == expected.Reason) == true),
            };
            var f = await cluster.WaitForFunctionAsync(name, f => f.Status?.Phase == phase && check(f), $"is {expected.Phase} as planned");
            Assert.Equal(expected.Node, f.Status.Node);
            Assert.Equal(expected.Attempts, f.Status.Attempts);
        }
    }

    private static bool IsPod(string id) => id.StartsWith("pods/", StringComparison.Ordinal);

    private static string NameOf(string id) => id[(id.LastIndexOf('/') + 1)..];

    /// <summary>The pod of a planned attempt: a function's <c>NAME-ATTEMPT</c> once bound, or the plain pod itself once bound.</summary>
    private static async Task<V1Pod> PodOfAsync(SandboxCluster cluster, string id, int attempt)
    {
        if (!IsPod(id))
        {
            return await cluster.WaitForBoundPodAsync(NameOf(id), attempt);
        }

        return await Wait.ForAsync(
            () => cluster.Client.CoreV1.ReadNamespacedPodAsync(NameOf(id), cluster.Namespace, cancellationToken: SandboxCluster.Ct),
            p => !string.IsNullOrEmpty(p.Spec.NodeName), $"plain pod {NameOf(id)} is bound", PlanTimeout);
    }
}
