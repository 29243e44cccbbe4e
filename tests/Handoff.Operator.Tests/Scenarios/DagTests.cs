using System.Globalization;
using Handoff.Api.Manifests;
using Handoff.Core.Lifecycle;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class DagTests
{
    private static string ExamplesFile(string relative) =>
        Path.Combine(RepoPaths.Examples, relative);

    [Fact]
    public async Task Results_are_handed_off_along_the_example_DAG_and_the_final_number_is_right()
    {
        var docs = ManifestReader.ReadTyped(await File.ReadAllTextAsync(ExamplesFile("dag/dag.yaml"), SandboxCluster.Ct), "dag.yaml");
        var nodes = docs.Select(d => d.Object).OfType<HandoffNode>().ToList();
        await using var cluster = await SandboxCluster.StartAsync(nodes.Select(n => HandoffMapper.KubernetesNodeName(n)));
        foreach (var node in nodes)
        {
            await cluster.CreateNodeAsync(node.Metadata.Name, node.Spec.Capacity, node.Metadata.Labels);
        }

        await cluster.StartOperatorAsync();
        foreach (var f in docs.Select(d => d.Object).OfType<HandoffFunction>())
        {
            await cluster.CreateFunctionAsync(f);
        }

        // The test is the kubelet: each pod computes from the HANDOFF_ARGS it was given.
        static long Arg(V1Pod pod, int i) => long.Parse(SandboxCluster.ArgsOf(pod)[i], CultureInfo.InvariantCulture);
        var seenArgs = new System.Collections.Concurrent.ConcurrentDictionary<string, string[]>();
        await using (var kubelet = new TestKubelet(cluster, pod =>
        {
            var function = pod.Metadata.Labels[HandoffApi.FunctionLabel];
            seenArgs[function] = SandboxCluster.ArgsOf(pod);
            var result = function switch
            {
                "dag-source" => 21,
                "dag-double" => Arg(pod, 0) * 2,
                "dag-increment" => Arg(pod, 0) + 1,
                "dag-sum" => Arg(pod, 0) + Arg(pod, 1) + Arg(pod, 2),
                _ => throw new InvalidOperationException("unexpected function " + function),
            };
            return new PodOutcome(result.ToString(CultureInfo.InvariantCulture));
        }))
        {
            var sum = await cluster.WaitForPhaseAsync("dag-sum", FunctionPhases.Succeeded);
            Assert.Equal("64", sum.Status.Result);
            Assert.Empty(kubelet.Errors);
        }

        Assert.Empty(seenArgs["dag-source"]);
        Assert.Equal(["21"], seenArgs["dag-double"]);
        Assert.Equal(["42", "22", "0"], seenArgs["dag-sum"]);
        var source = await cluster.GetFunctionAsync("dag-source");
        var sumFunction = await cluster.GetFunctionAsync("dag-sum");
        Assert.Equal(source.Status.Node, sumFunction.Status.Node); // collocateWith
        foreach (var f in await cluster.ListFunctionsAsync())
        {
            Assert.Equal(FunctionPhases.Succeeded, f.Status.Phase);
            Assert.Equal(1, f.Status.Attempts);
            Assert.Contains(f.Status.Conditions!, c => c.Type == ConditionTypes.Completed && c.Status == ConditionStatus.True);
        }

        // Every node's capacity is given back.
        foreach (var node in nodes)
        {
            var n = await cluster.GetNodeAsync(node.Metadata.Name);
            Assert.Equal(0, n.Status.Functions);
        }

        // By default the happy path records no Events (the Scheduled condition says it; see OperatorOptions.ScheduledEvents).
        Assert.DoesNotContain(await cluster.EventsAsync(), e => e.Reason == Reasons.Scheduled);
    }
}
