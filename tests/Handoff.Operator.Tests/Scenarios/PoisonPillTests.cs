using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// No object can stop the scheduler (issue "Never over-commit, whatever users do", cases 8 and 9): what the CRD schema
/// can refuse is refused up front (422, the API server's wording); an object the schema let through but the operator
/// cannot read (stored before the schema bounded it) is reported and skipped while the others keep being scheduled.
/// </summary>
public sealed partial class PoisonPillTests
{
    private static async Task<string> RefusedAsync(Func<Task> write)
    {
        var ex = await Assert.ThrowsAsync<HttpOperationException>(write);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.Response.StatusCode);
        return KubernetesJson.Deserialize<V1Status>(ex.Response.Content).Message;
    }

    private static Task<object> PatchFunctionStatusAsync(SandboxCluster cluster, string name, string status) =>
        cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch($$"""{"status":{{status}}}""", V1Patch.PatchType.MergePatch),
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, name, cancellationToken: SandboxCluster.Ct);

    private static Task<object> PatchNodeStatusAsync(SandboxCluster cluster, string name, string status) =>
        cluster.Client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch($$"""{"status":{{status}}}""", V1Patch.PatchType.MergePatch),
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, name, cancellationToken: SandboxCluster.Ct);

    private static Task<object> CreateRawFunctionAsync(SandboxCluster cluster, string json) =>
        cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            KubernetesJson.Deserialize<object>(json), HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, cancellationToken: SandboxCluster.Ct);

    private static string Function(string name, string spec) =>
        $$"""{"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"{{name}}"},"spec":{{spec}}}""";

    [Fact]
    public async Task Out_of_range_integers_and_a_template_that_is_no_PodTemplateSpec_are_refused_with_the_API_servers_wording()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "2" });
        await cluster.StartOperatorAsync();

        Assert.Equal(
            "HandoffFunction.handoff.dev \"big\" is invalid: spec.maxRetries: Invalid value: 3000000000: spec.maxRetries in body should be less than or equal to 2147483647",
            await RefusedAsync(() => CreateRawFunctionAsync(cluster, Function("big", """{"maxRetries":3000000000}"""))));
        Assert.Equal(
            "HandoffFunction.handoff.dev \"negative\" is invalid: spec.maxRetries: Invalid value: -1: spec.maxRetries in body should be greater than or equal to 0",
            await RefusedAsync(() => CreateRawFunctionAsync(cluster, Function("negative", """{"maxRetries":-1}"""))));
        // As the API server says it: the CEL rules (on metadata.name) are not evaluated on an object the schema refused.
        Assert.Equal(
            "HandoffFunction.handoff.dev \"x\" is invalid: [spec.template.spec.containers: Invalid value: \"string\": spec.template.spec.containers in body must be of type array: \"string\", " +
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]",
            await RefusedAsync(() => CreateRawFunctionAsync(cluster, Function("x", """{"template":{"spec":{"containers":"x"}}}"""))));
        Assert.Equal(
            "HandoffFunction.handoff.dev \"empty\" is invalid: spec.template.spec.containers: Invalid value: 0: spec.template.spec.containers in body should have at least 1 items",
            await RefusedAsync(() => CreateRawFunctionAsync(cluster, Function("empty", """{"template":{"spec":{"containers":[]}}}"""))));

        // Statuses written by hand are bounded too.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("good", new Dictionary<string, string> { ["cpu"] = "1" }));
        await cluster.WaitForPhaseAsync("good", FunctionPhases.Scheduled);
        Assert.Equal(
            "HandoffFunction.handoff.dev \"good\" is invalid: status.attempts: Invalid value: 3000000000: status.attempts in body should be less than or equal to 2147483647",
            await RefusedAsync(() => PatchFunctionStatusAsync(cluster, "good", """{"attempts":3000000000}""")));
        Assert.Equal(
            "HandoffNode.handoff.dev \"n1\" is invalid: status.functions: Invalid value: 3000000000: status.functions in body should be less than or equal to 2147483647",
            await RefusedAsync(() => PatchNodeStatusAsync(cluster, "n1", """{"functions":3000000000}""")));

        // Nothing of that reached the operator: it keeps scheduling.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("after", new Dictionary<string, string> { ["cpu"] = "1" }));
        await cluster.WaitForPhaseAsync("after", FunctionPhases.Scheduled);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(253)]
    public async Task A_function_name_longer_than_63_characters_is_refused_up_front_with_a_clear_message(int length)
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        var name = string.Concat(Enumerable.Repeat("abcdefghij", 26))[..length];
        var message = await RefusedAsync(() => cluster.CreateFunctionAsync(SandboxCluster.Function(name)));
        Assert.Equal(
            $"HandoffFunction.handoff.dev \"{name}\" is invalid: metadata.name: Invalid value: must be no more than 63 characters: a HandoffFunction's name is the value of the handoff.dev/function label of its pods",
            message);

        // 63 is fine.
        await cluster.CreateFunctionAsync(SandboxCluster.Function(name[..63]));
    }

    [Fact]
    public async Task Objects_stored_before_the_schema_bounded_them_are_reported_and_skipped_while_the_others_keep_being_scheduled()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"]);

        // An older CRD without the integer bounds (the API server does not re-validate stored objects when the schema tightens).
        var crds = RepoPaths.Crds;
        foreach (var file in new[] { "handofffunctions.handoff.dev.yaml", "handoffnodes.handoff.dev.yaml" })
        {
            var text = await File.ReadAllTextAsync(Path.Combine(crds, file), SandboxCluster.Ct);
            await cluster.Server.ApplyAsync(Int32Bound().Replace(text, ""), file, SandboxCluster.Ct);
        }

        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "2" });
        await cluster.CreateNodeAsync("n2", new Dictionary<string, string> { ["cpu"] = "2" });
        await PatchNodeStatusAsync(cluster, "n2", """{"functions":3000000000}""");
        await CreateRawFunctionAsync(cluster, Function("big", """{"maxRetries":3000000000}"""));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("forged"));
        await PatchFunctionStatusAsync(cluster, "forged", """{"attempts":3000000000}""");
        await cluster.Server.ApplyPathAsync(crds, SandboxCluster.Ct);

        var op = await cluster.StartOperatorAsync();
        await using var kubelet = new TestKubelet(cluster, _ => new PodOutcome("done"));
        for (var i = 0; i < 3; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"good-{i}", new Dictionary<string, string> { ["cpu"] = "1" }));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("done", (await cluster.WaitForPhaseAsync($"good-{i}", FunctionPhases.Succeeded)).Status.Result);
        }

        // The unreadable function is told why by an Event, and never scheduled. (Its status condition InvalidObject is
        // written where the API server ratchets validation, as Kubernetes does since 1.30; the sandbox validates the
        // whole object on a status write, so there that write is refused and only the Event tells.)
        var events = await Wait.ForAsync(
            async () => (await cluster.EventsAsync()).Where(e => e.Reason == Reasons.InvalidObject && e.InvolvedObject.Name == "big").ToList(),
            found => found.Count > 0, "an InvalidObject Event for big");
        Assert.Equal("Warning", events[0].Type);
        Assert.StartsWith("the operator cannot read this object: ", events[0].Message, StringComparison.Ordinal);
        Assert.Contains("spec.maxRetries", events[0].Message, StringComparison.Ordinal);
        Assert.Empty(await cluster.PodsAsync("big"));
        var big = JsonNode.Parse(KubernetesJson.Serialize(await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, "big", cancellationToken: SandboxCluster.Ct)))!;
        Assert.Equal(3000000000L, (long)big["spec"]!["maxRetries"]!); // nothing of the user's object is lost

        // A status field the operator cannot read is dropped and written again with the truth (the status is derived):
        // the function is scheduled as any other, the node is used and reports what it holds.
        var forged = await cluster.WaitForPhaseAsync("forged", FunctionPhases.Succeeded);
        Assert.Equal(("done", 1), (forged.Status.Result, forged.Status.Attempts));
        await Wait.UntilAsync(async () => (await cluster.GetNodeAsync("n2")).Status is { Functions: 0, Allocated: not null }, "n2's status is the operator's again");

        var metrics = op.Services.GetRequiredService<OperatorMetrics>();
        using var stream = new MemoryStream();
        await metrics.ExportAsync(stream, cancellationToken: SandboxCluster.Ct);
        Assert.Matches(@"(?m)^handoff_invalid_objects 1$", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [GeneratedRegex(@"(?m)^\s*maximum: 2147483647\.0\r?\n")]
    private static partial Regex Int32Bound();
}
