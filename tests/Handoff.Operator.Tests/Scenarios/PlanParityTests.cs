using System.Globalization;
using System.Text.RegularExpressions;
using Handoff.Api.Manifests;
using Handoff.Core.Lifecycle;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Planning;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// <c>handoff plan</c>'s prediction (Core's planner) equals what the operator does on the examples. The test replays the
/// planner's timeline: at each instant it ends the pods the plan ends (with the operator stopped, so all ends of an
/// instant happen together, as in the plan), starts an operator, waits for the pods the plan starts then, stops it
/// and compares — every placement, and the final phase, node and attempts of every function.
/// </summary>
public sealed partial class PlanParityTests
{
    [Theory]
    [InlineData("seed")]
    [InlineData("dag")]
    [InlineData("unschedulable")]
    public async Task The_operator_places_the_examples_exactly_as_the_planner_predicts(string example)
    {
        var docs = ManifestPaths.Expand([Path.Combine(RepoPaths.Examples, example)])
            .SelectMany(f => ManifestReader.Read(f, TextReader.Null)).Select(o => ManifestReader.ToTyped(o).Object).ToList();
        var nodes = docs.OfType<HandoffNode>().ToList();
        await using var cluster = await SandboxCluster.StartAsync(nodes.Select(n => HandoffMapper.KubernetesNodeName(n)));
        foreach (var n in nodes)
        {
            await cluster.CreateNodeAsync(n.Metadata.Name, n.Spec.Capacity, n.Metadata.Labels, n.Spec.Unschedulable, n.Spec.NodeName);
        }

        foreach (var f in docs.OfType<HandoffFunction>())
        {
            await cluster.CreateFunctionAsync(f);
        }

        // The planner gets the functions in the operator's queue order (creationTimestamp, then name).
        var created = (await cluster.ListFunctionsAsync())
            .OrderBy(f => f.Metadata.CreationTimestamp).ThenBy(f => f.Metadata.Name, StringComparer.Ordinal).ToList();
        var plan = Planner.Run(
            nodes.Select(n => HandoffMapper.ToNodeInfo(n)),
            created.Select(f =>
            {
                var mapped = HandoffMapper.ToFunction(f);
                return new PlanFunction(mapped.Placement, mapped.Args) { Strategy = mapped.Strategy, Retry = new RetryPolicy(mapped.MaxRetries), Duration = DurationOf(f) };
            }),
            SandboxCluster.Ct);

        var instants = plan.Events.Select(e => e.Time).Distinct().Order().ToList();
        foreach (var t in instants)
        {
            foreach (var end in plan.Events.Where(e => e.Time == t && e.Kind != PlanEventKind.Started))
            {
                var name = end.Id.Split('/')[1];
                var pod = (await cluster.PodsAsync(name)).Single(p => p.Metadata.Name == $"{name}-{end.Attempt}");
                await cluster.FinishPodAsync(pod, "r", end.Kind == PlanEventKind.Succeeded ? 0 : 1);
            }

            var starts = plan.Events.Where(e => e.Time == t && e.Kind == PlanEventKind.Started).ToList();
            var op = await cluster.StartOperatorAsync();
            foreach (var start in starts)
            {
                var name = start.Id.Split('/')[1];
                var pod = await cluster.WaitForBoundPodAsync(name, start.Attempt);
                var expectedNode = nodes.Single(n => n.Metadata.Name == start.Node);
                Assert.True(HandoffMapper.KubernetesNodeName(expectedNode) == pod.Spec.NodeName,
                    $"at {t.TotalSeconds}s the plan starts {name} on {start.Node}; the operator bound it to {pod.Spec.NodeName}");
            }

            if (starts.Count == 0)
            {
                await Wait.UntilAsync(() => op.Operator.Passes > 0, "one reconcile pass");
            }

            await cluster.StopOperatorAsync(op);
            var planned = plan.Events.Where(e => e.Time <= t && e.Kind == PlanEventKind.Started).Select(e => $"{e.Id.Split('/')[1]}-{e.Attempt}").Order().ToList();
            var actual = (await cluster.PodsAsync()).Select(p => p.Metadata.Name).Order().ToList();
            Assert.Equal(planned, actual);
        }

        var final = await cluster.StartOperatorAsync();
        await Wait.UntilAsync(() => final.Operator.Passes > 0, "a full reconcile pass of the last operator");
        foreach (var expected in plan.Functions)
        {
            var name = expected.Id.Split('/')[1];
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

    private static TimeSpan DurationOf(HandoffFunction f)
    {
        if (f.Metadata.Annotations?.TryGetValue(HandoffApi.DurationAnnotation, out var text) != true || text is null)
        {
            return PlanFunction.DefaultDuration;
        }

        var m = DurationPattern().Match(text);
        Assert.True(m.Success, $"unsupported duration {text} in the example");
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            _ => TimeSpan.FromMinutes(value),
        };
    }

    [GeneratedRegex("^([0-9.]+)(ms|s|m)$")]
    private static partial Regex DurationPattern();
}
