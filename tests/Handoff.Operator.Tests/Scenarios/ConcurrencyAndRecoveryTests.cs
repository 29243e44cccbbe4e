using System.Globalization;
using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class ConcurrencyAndRecoveryTests
{
    private static Dictionary<string, string> Cpu(long cpu) => new() { ["cpu"] = cpu.ToString(CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Hundreds_of_functions_at_once_on_a_few_nodes_never_overcommit_any_node()
    {
        const int count = 240;
        var nodes = new[] { "w1", "w2", "w3" };
        await using var cluster = await SandboxCluster.StartAsync(nodes);
        foreach (var n in nodes)
        {
            await cluster.CreateNodeAsync(n, Cpu(4));
        }

        var random = new Random(12345);
        var costs = Enumerable.Range(0, count).ToDictionary(i => $"f-{i:000}", _ => (long)random.Next(1, 4), StringComparer.Ordinal);
        await using var auditor = new BindingAuditor(cluster, nodes.ToDictionary(n => n, _ => 4000L), f => costs[f] * 1000);
        await cluster.StartOperatorAsync();
        await using var kubelet = new TestKubelet(cluster, pod => new PodOutcome(pod.Metadata.Name));
        await Parallel.ForEachAsync(costs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = SandboxCluster.Ct }, async (kv, _) =>
            await cluster.CreateFunctionAsync(SandboxCluster.Function(kv.Key, Cpu(kv.Value))));

        await Wait.UntilAsync(
            async () => (await cluster.ListFunctionsAsync()).Count(f => f.Status?.Phase == FunctionPhases.Succeeded) == count,
            $"all {count} functions succeed", TimeSpan.FromSeconds(90));
        Assert.Empty(auditor.Violations);
        Assert.Empty(kubelet.Errors);
        Assert.True(auditor.Events > count, "the auditor saw the bindings");
        Assert.All(nodes, n => Assert.InRange(auditor.Peak.GetValueOrDefault(n), 2000, 4000));
        Assert.Equal(count, (await cluster.PodsAsync()).Count);
    }

    [Fact]
    public async Task Stopping_the_operator_repeatedly_mid_DAG_converges_without_overcommit_lost_functions_or_duplicate_pods()
    {
        var nodes = new[] { "w1", "w2" };
        await using var cluster = await SandboxCluster.StartAsync(nodes);
        foreach (var n in nodes)
        {
            await cluster.CreateNodeAsync(n, Cpu(3));
        }

        // Three layers: 8 sources; 8 pairs each summing two sources; one total over the pairs.
        var costs = new Dictionary<string, long>(StringComparer.Ordinal);
        var functions = new List<HandoffFunction>();
        for (var i = 0; i < 8; i++)
        {
            functions.Add(SandboxCluster.Function($"src-{i}", Cpu(1 + (i % 2))));
            functions[^1].Spec.ExtraArgs = [i.ToString(CultureInfo.InvariantCulture)];
        }

        for (var i = 0; i < 8; i++)
        {
            functions.Add(SandboxCluster.Function($"pair-{i}", Cpu(2), $"src-{i}", $"src-{(i + 1) % 8}"));
        }

        functions.Add(SandboxCluster.Function("total", Cpu(1), [.. Enumerable.Range(0, 8).Select(i => $"pair-{i}")]));
        foreach (var f in functions)
        {
            costs[f.Metadata.Name] = long.Parse(f.Spec.Cost!["cpu"], CultureInfo.InvariantCulture);
        }

        await using var auditor = new BindingAuditor(cluster, nodes.ToDictionary(n => n, _ => 3000L), f => costs[f] * 1000);
        // Each function returns 10 × (sum of its args) + 1 (sources: their extra arg); the kubelet answers slowly
        // enough (only pods it has seen twice) that restarts hit running pods too.
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var kubelet = new TestKubelet(cluster, pod =>
        {
            if (seen.AddOrUpdate(pod.Metadata.Name, 1, (_, n) => n + 1) < 2)
            {
                return null;
            }

            var sum = SandboxCluster.ArgsOf(pod).Sum(a => long.Parse(a, CultureInfo.InvariantCulture));
            return new PodOutcome((10 * sum + 1).ToString(CultureInfo.InvariantCulture));
        });

        foreach (var f in functions)
        {
            await cluster.CreateFunctionAsync(f);
        }

        var restarts = 0;
        while (true)
        {
            var op = await cluster.StartOperatorAsync();
            var before = (await cluster.PodsAsync()).Count(p => !string.IsNullOrEmpty(p.Spec.NodeName));
            var done = false;
            await Wait.UntilAsync(
                async () =>
                {
                    var pods = await cluster.PodsAsync();
                    done = (await cluster.GetFunctionAsync("total")).Status?.Phase == FunctionPhases.Succeeded;
                    return done || pods.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName)) >= before + 3;
                },
                "three more bindings (or the end)",
                TimeSpan.FromSeconds(30));
            await cluster.StopOperatorAsync(op);
            if (done)
            {
                break;
            }

            restarts++;
        }

        Assert.True(restarts >= 3, $"only {restarts} restarts");
        var all = await cluster.ListFunctionsAsync();
        Assert.All(all, f => Assert.Equal(FunctionPhases.Succeeded, f.Status.Phase));
        long Expected(string name)
        {
            var f = functions.First(x => x.Metadata.Name == name);
            var args = (f.Spec.Args ?? []).Select(Expected).Concat((f.Spec.ExtraArgs ?? []).Select(e => long.Parse(e, CultureInfo.InvariantCulture)));
            return (10 * args.Sum()) + 1;
        }

        Assert.Equal(Expected("total").ToString(CultureInfo.InvariantCulture), all.First(f => f.Metadata.Name == "total").Status.Result);
        var pods = await cluster.PodsAsync();
        Assert.Equal(functions.Count, pods.Count); // one pod per function: nothing duplicated, nothing retried
        Assert.All(pods, p => Assert.EndsWith("-1", p.Metadata.Name, StringComparison.Ordinal));
        Assert.Empty(auditor.Violations);
        Assert.Empty(kubelet.Errors);
    }

    [Fact]
    public async Task A_pod_created_but_not_bound_when_the_operator_stopped_is_bound_by_the_next_one()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", Cpu(2));
        // The first operator's own client refuses its bindings: a server-side fault cleared after the stop could still
        // let through a binding the stopping operator had sent before it (the server finishes a request it received).
        var first = await cluster.StartOperatorAsync(handlers: () => [new RefusedBindings()]);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("f", Cpu(2)));
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("f")).Count == 1, "the pod is created (its binding fails)");
        await cluster.StopOperatorAsync(first);
        Assert.True(string.IsNullOrEmpty((await cluster.PodsAsync("f")).Single().Spec.NodeName));

        await cluster.StartOperatorAsync();
        var pod = await cluster.WaitForBoundPodAsync("f");
        Assert.Equal("f-1", pod.Metadata.Name);
        Assert.Equal("w1", pod.Spec.NodeName);
        Assert.Equal(FunctionPhases.Scheduled, (await cluster.WaitForPhaseAsync("f", FunctionPhases.Scheduled)).Status.Phase);
        Assert.Single(await cluster.PodsAsync("f"));
    }

    [Fact]
    public async Task An_unbound_pod_whose_capacity_is_gone_after_a_restart_is_deleted_and_its_function_waits()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", Cpu(2));
        cluster.Server.Faults.FailNext(1000, 500, "create", "pods/binding");
        var first = await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(SandboxCluster.Function("late", Cpu(2)));
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("late")).Count == 1, "the pod is created (its binding fails)");
        await cluster.StopOperatorAsync(first);
        cluster.Server.Faults.Reset();

        // Meanwhile someone else's bound pod takes the node (as if bound by an earlier operator).
        var other = await cluster.CreateFunctionAsync(SandboxCluster.Function("other", Cpu(2)));
        var pod = Operator.Controllers.FunctionPods.Build(other, Api.Mapping.HandoffMapper.ToFunction(other), "other-1", 1, "w1", "handoff", []);
        pod.Spec.NodeName = "w1";
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, cluster.Namespace, cancellationToken: SandboxCluster.Ct);

        await cluster.StartOperatorAsync();
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("late")).Count == 0, "the unbound pod is deleted");
        Assert.Equal(FunctionPhases.Scheduled, (await cluster.WaitForPhaseAsync("other", FunctionPhases.Scheduled)).Status.Phase);
        var late = await cluster.WaitForFunctionAsync("late", f => f.Status?.Phase == FunctionPhases.Pending && f.Status.Message is not null, "is Pending with a reason");
        Assert.Contains("Insufficient cpu", late.Status.Message, StringComparison.Ordinal);

        // When the capacity frees, it runs after all.
        await cluster.FinishPodAsync((await cluster.PodsAsync("other")).Single(), "x");
        var rebound = await cluster.WaitForBoundPodAsync("late");
        Assert.Equal("w1", rebound.Spec.NodeName);
    }

    /// <summary>Answers every binding with a 500 Status without sending it.</summary>
    private sealed class RefusedBindings : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/binding", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError)
                {
                    RequestMessage = request,
                    Content = new StringContent(
                        """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"refused by the test","reason":"InternalError","code":500}""",
                        System.Text.Encoding.UTF8,
                        "application/json"),
                })
                : base.SendAsync(request, cancellationToken);
    }
}
