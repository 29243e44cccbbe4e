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
/// <c>handoff plan -f</c> builds it (<see cref="PlanInput"/>: HandoffNodes, Nodes, other workloads' pods, functions,
/// plain pods and Jobs, read back from the cluster so that creation order is the operator's; with the example's
/// <c>--discover-nodes</c>, the HandoffNodes the operator discovered are left out of what is read back and the plan
/// discovers its own, which must be the same). The test replays the planner's timeline: at each instant it ends the
/// pods the plan ends (with the operator stopped, so all ends of an instant happen together, as in the plan), waits for
/// the Job controller to create what those successes create, starts an operator, waits for the pods the plan starts
/// then, stops it and compares — every placement, and the final phase, node and attempts of every function and pod. A
/// Job's pods the plan creates (<c>job/NAME-N</c>) are matched to the Job's pods in the cluster as they are bound: a
/// pod of the Job bound on the node the plan says, not matched before (the Job's pods are alike, so which one the
/// operator takes first among those created in the same second is the API's random name order).
/// </summary>
public sealed class PlanParityTests
{
    private static readonly TimeSpan PlanTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The <c>--discover-nodes</c> selector an example is run with (its comments say so), if any.</summary>
    private static string? DiscoverySelectorOf(string example) => example == "real-cluster" ? "pool=general" : null;

    [Theory]
    [InlineData("seed")]
    [InlineData("dag")]
    [InlineData("unschedulable")]
    [InlineData("real-cluster")]
    [InlineData("queues")]
    public async Task The_operator_places_the_examples_exactly_as_the_planner_predicts(string example)
    {
        var discovery = DiscoverySelectorOf(example);
        var options = discovery is null ? new OperatorOptions() : new OperatorOptions { DiscoverNodes = true, DiscoverNodesSelector = discovery };
        var docs = ManifestPaths.Expand([Path.Combine(RepoPaths.Examples, example)])
            .SelectMany(f => ManifestReader.Read(f, TextReader.Null)).Select(ManifestReader.ToTyped).Select(d => d.Object).ToList();
        var handoffNodes = docs.OfType<HandoffNode>().ToList();
        var kubernetesNodes = docs.OfType<V1Node>().ToList();
        var simulated = kubernetesNodes.Select(n => SandboxNode.FromManifest(JsonNode.Parse(KubernetesJson.Serialize(n))!.AsObject()))
            .Concat(handoffNodes.Select(HandoffMapper.KubernetesNodeName).Where(name => kubernetesNodes.All(n => n.Metadata.Name != name)).Distinct().Select(name => new SandboxNode(name)));
        await using var cluster = await SandboxCluster.StartAsync(simulated, chartValues: discovery is null ? null : ["discoverNodes.enabled=true"]);
        foreach (var n in handoffNodes)
        {
            await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(n, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: SandboxCluster.Ct);
        }

        // Discovery runs before the work arrives (as on a cluster where the operator runs before the work is submitted).
        var discovered = new List<string>();
        if (discovery is not null)
        {
            var selector = Core.Nodes.LabelSelectorParser.Parse(discovery);
            discovered = [.. kubernetesNodes.Where(n => selector.Matches((IReadOnlyDictionary<string, string>)n.Metadata.Labels) && handoffNodes.All(h => h.Metadata.Name != n.Metadata.Name)).Select(n => n.Metadata.Name)];
            Assert.NotEmpty(discovered);
            var discovering = await cluster.StartOperatorAsync(options);
            await Wait.UntilAsync(
                async () => (await ListHandoffNodesAsync(cluster)).Count(n => discovered.Contains(n.Metadata.Name) && n.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True) == true) == discovered.Count,
                "the discovered HandoffNodes are Ready");
            await cluster.StopOperatorAsync(discovering);
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
                case V1Job j:
                    j.Metadata.NamespaceProperty = cluster.Namespace;
                    await cluster.Client.BatchV1.CreateNamespacedJobAsync(j, cluster.Namespace, cancellationToken: SandboxCluster.Ct);
                    break;
            }
        }

        // The Job controller creates the first pods before the plan reads the cluster (as it does before Handoff sees them).
        foreach (var job in docs.OfType<V1Job>())
        {
            var first = Math.Min(job.Spec.Parallelism ?? 1, job.Spec.Completions ?? int.MaxValue);
            await Wait.UntilAsync(async () => (await JobPodsAsync(cluster, job.Metadata.Name)).Count == first, $"Job {job.Metadata.Name} has its first {first} pods");
        }

        // The plan of what the cluster now holds (as `kubectl get -o yaml | handoff plan -f -` would read it).
        // The HandoffNodes as they are now, but for the discovered ones: the plan discovers its own.
        var created = new List<object>((await ListHandoffNodesAsync(cluster)).Where(n => !discovered.Contains(n.Metadata.Name)));
        created.AddRange(kubernetesNodes);
        created.AddRange(docs.OfType<HandoffQueue>());
        created.AddRange(docs.OfType<V1PriorityClass>());
        created.AddRange(await cluster.ListFunctionsAsync());
        created.AddRange((await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, cancellationToken: SandboxCluster.Ct)).Items);
        created.AddRange((await cluster.Client.BatchV1.ListNamespacedJobAsync(cluster.Namespace, cancellationToken: SandboxCluster.Ct)).Items);
        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. created.Select(o => JsonNode.Parse(KubernetesJson.Serialize(o)))]) };
        var documents = ManifestReader.ReadTyped(list.ToJsonString(), "cluster");
        var planDiscovered = discovery is null ? [] : PlanInput.Discovered(documents, discovery).ToList();
        Assert.Equal(discovered, planDiscovered.Select(d => d.Object.Metadata.Name));
        var input = PlanInput.Build([.. documents, .. planDiscovered], AllocationStrategy.FirstAvailable);
        Assert.Empty(input.Problems);
        Assert.Empty(input.Rejected);
        var plan = Planner.Run(input.Nodes, input.Functions, input.Options, SandboxCluster.Ct);
        var allHandoffNodes = await ListHandoffNodesAsync(cluster);
        string KubernetesNodeOf(string handoffNode) => HandoffMapper.KubernetesNodeName(allHandoffNodes.Single(n => n.Metadata.Name == handoffNode));

        // The pods of Jobs the plan creates (job/NAME-N), by plan id once matched to the Job's pod the operator bound.
        var jobPods = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        bool IsNewJobPod(string id) => input.Mapped[id].Name.StartsWith(PlanInput.JobPodPrefix, StringComparison.Ordinal);
        bool Planned(V1Pod p) => input.Mapped.ContainsKey(PodMapper.WorkloadId(p.Metadata.NamespaceProperty, p.Metadata.Name));
        async Task<V1Pod> PodAsync(string id, int attempt) =>
            IsNewJobPod(id) ? await MatchJobPodAsync(cluster, input.Functions.Single(f => f.Id == id).Job!.Job, id, jobPods, null, Planned) : await PodOfAsync(cluster, id, attempt);

        foreach (var t in plan.Events.Select(e => e.Time).Distinct().Order())
        {
            foreach (var end in plan.Events.Where(e => e.Time == t && e.Kind is PlanEventKind.Succeeded or PlanEventKind.Failed))
            {
                var pod = await PodAsync(end.Id, end.Attempt);
                await cluster.FinishPodAsync(pod, "r", end.Kind == PlanEventKind.Succeeded ? 0 : 1);
            }

            // The Job controller counts those successes (and creates what they create) before the operator looks.
            foreach (var job in input.Functions.Where(f => f.Job is not null).GroupBy(f => f.Job!.Job))
            {
                var succeeded = plan.Events.Count(e => e.Time <= t && e.Kind == PlanEventKind.Succeeded && job.Any(f => f.Id == e.Id));
                await Wait.ForAsync(
                    () => cluster.Client.BatchV1.ReadNamespacedJobAsync(NameOf(job.Key), cluster.Namespace, cancellationToken: SandboxCluster.Ct),
                    j => (j.Status?.Succeeded ?? 0) == succeeded, $"Job {job.Key} counted {succeeded} successes", PlanTimeout);
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
                var pod = IsNewJobPod(start.Id)
                    ? await MatchJobPodAsync(cluster, input.Functions.Single(f => f.Id == start.Id).Job!.Job, start.Id, jobPods, KubernetesNodeOf(start.Node), Planned)
                    : await PodOfAsync(cluster, start.Id, start.Attempt);
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
                if (IsNewJobPod(expected.Id) && !jobPods.ContainsKey(expected.Id))
                {
                    // Never created in the plan: nor does the Job have a pod left to be it.
                    var jobId = input.Functions.Single(f => f.Id == expected.Id).Job!.Job;
                    Assert.Equal(FunctionPhase.Waiting, expected.Phase);
                    Assert.DoesNotContain(await JobPodsAsync(cluster, NameOf(jobId)), p => !Planned(p) && jobPods.Values.All(m => m.Metadata.Uid != p.Metadata.Uid));
                    continue;
                }

                var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(
                    IsNewJobPod(expected.Id) ? jobPods[expected.Id].Metadata.Name : NameOf(expected.Id), cluster.Namespace, cancellationToken: SandboxCluster.Ct);
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

    private static async Task<IList<HandoffNode>> ListHandoffNodesAsync(SandboxCluster cluster) =>
        (await cluster.Client.CustomObjects.ListClusterCustomObjectAsync<HandoffNodeList>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: SandboxCluster.Ct)).Items;

    /// <summary>The pods the Job owns, in creation order.</summary>
    private static async Task<List<V1Pod>> JobPodsAsync(SandboxCluster cluster, string job) =>
        [.. (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, cancellationToken: SandboxCluster.Ct)).Items
            .Where(p => p.Metadata.OwnerReferences?.Any(o => o.Kind == "Job" && o.Name == job) == true)
            .OrderBy(p => p.Metadata.CreationTimestamp).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    /// <summary>
    /// The Job's pod a planned <c>job/NAME-N</c> pod is: the one matched before, or (at its start) the first pod of the
    /// Job the operator bound to <paramref name="node"/> that is neither planned under its own name nor matched before.
    /// </summary>
    private static async Task<V1Pod> MatchJobPodAsync(
        SandboxCluster cluster, string jobId, string id, Dictionary<string, V1Pod> matched, string? node, Func<V1Pod, bool> plannedByName)
    {
        if (matched.TryGetValue(id, out var known))
        {
            return known;
        }

        Assert.NotNull(node);
        V1Pod? found = null;
        await Wait.UntilAsync(
            async () =>
            {
                found = (await JobPodsAsync(cluster, NameOf(jobId)))
                    .FirstOrDefault(p => p.Spec.NodeName == node && p.Status?.Phase is not ("Succeeded" or "Failed") && !plannedByName(p)
                        && matched.Values.All(m => m.Metadata.Uid != p.Metadata.Uid));
                return found is not null;
            },
            $"a pod of Job {jobId} bound to {node} for {id}",
            PlanTimeout);
        return matched[id] = found!;
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
