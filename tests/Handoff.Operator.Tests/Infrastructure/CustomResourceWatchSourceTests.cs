using System.Net;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using k8s;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>
/// Objects are decoded one by one, in a list and in a watch: an unreadable spec skips that object; an unreadable status
/// field is repaired. The API answers are scripted (a handler in the client's pipeline): objects like these are the ones
/// a CRD schema lets through only when written before it was tightened, so the sandbox would refuse to store them.
/// </summary>
public sealed class CustomResourceWatchSourceTests
{
    private static CustomResourceWatchSource<HandoffFunction> Source(params string[] items) => Source(null, items);

    private static CustomResourceWatchSource<HandoffFunction> Source(JsonSerializerOptions? json, params string[] items) =>
        Answering($$"""{"metadata":{"resourceVersion":"7"},"items":[{{string.Join(',', items)}}]}""", json);

    /// <summary>A source whose every GET is answered with <paramref name="body"/>.</summary>
    private static CustomResourceWatchSource<HandoffFunction> Answering(string body, JsonSerializerOptions? json = null)
    {
        var config = new KubernetesClientConfiguration { Host = "http://scripted.invalid" };
        var client = new Kubernetes(config, new Scripted(body));
        return new CustomResourceWatchSource<HandoffFunction>(
            HandoffApi.FunctionKind, "functions", new ApiStreams(client, config), "apis/handoff.dev/v1alpha1/handofffunctions", TimeSpan.FromMinutes(1), json);
    }

    private sealed class Scripted(string body) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body), RequestMessage = request });
    }

    private static async Task<ResourceListPage<HandoffFunction>> SinglePageAsync(CustomResourceWatchSource<HandoffFunction> source) =>
        Assert.Single(await source.ListAsync(0, f => f, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));

    private static string Function(string name, string spec, string? status = null) =>
        $$"""{"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"{{name}}","namespace":"ns","uid":"u-{{name}}","generation":2},"spec":{{spec}}{{(status is null ? "" : ",\"status\":" + status)}}}""";

    [Fact]
    public async Task An_unreadable_spec_skips_only_that_object_and_says_why()
    {
        var listed = await SinglePageAsync(Source(Function("good", "{}"), Function("big", """{"maxRetries":3000000000}""")));

        Assert.Equal(["good"], listed.Items.Select(f => f.Metadata.Name));
        var invalid = Assert.Single(listed.Invalid);
        Assert.Equal((HandoffApi.FunctionKind, "ns", "big", "u-big", 2L), (invalid.Kind, invalid.Namespace, invalid.Name, invalid.Uid, invalid.Generation));
        Assert.Contains("$.spec.maxRetries", invalid.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_status_field_is_repaired_so_the_next_status_write_replaces_it()
    {
        var listed = await SinglePageAsync(Source(
            Function("attempts", "{}", """{"phase":"Succeeded","result":"kept","attempts":3000000000}"""),
            Function("conditions", "{}", """{"phase":"Running","conditions":"x"}"""),
            Function("status", "{}", "\"x\"")));

        Assert.Empty(listed.Invalid);
        var byName = listed.Items.ToDictionary(f => f.Metadata.Name);
        // An out-of-range integer reads as -1, which the operator never writes: its diff sends the true value.
        Assert.Equal(("Succeeded", "kept", -1), (byName["attempts"].Status.Phase, byName["attempts"].Status.Result, byName["attempts"].Status.Attempts));
        Assert.Equal(("Running", null), (byName["conditions"].Status.Phase, byName["conditions"].Status.Conditions));
        Assert.Null(byName["status"].Status?.Phase); // a status that is no object: read as none
    }

    [Fact]
    public async Task With_the_caches_options_equal_templates_are_decoded_once_and_a_bad_one_is_named_from_the_root()
    {
        const string template = """{"template":{"spec":{"containers":[{"name":"main","image":"busybox:1.36","resources":{"requests":{"cpu":"250m"}}}]}}}""";
        const string other = """{"template":{"spec":{"containers":[{"name":"main","image":"alpine"}]}}}""";
        const string bad = """{"template":{"spec":{"containers":[{"name":"main","image":"busybox","ports":[{"containerPort":"x"}]}]}}}""";
        var listed = await SinglePageAsync(Source(
            CacheTransforms.FunctionJson, Function("a", template), Function("b", template), Function("c", other), Function("bad", bad)));

        var byName = listed.Items.ToDictionary(f => f.Metadata.Name);
        Assert.Same(byName["a"].Spec.Template, byName["b"].Spec.Template);
        Assert.True(CacheTransforms.Templates.IsKept(byName["a"].Spec.Template));
        Assert.NotSame(byName["a"].Spec.Template, byName["c"].Spec.Template);
        Assert.Equal("250m", byName["a"].Spec.Template.Spec.Containers[0].Resources.Requests["cpu"].ToString());
        Assert.Equal("alpine", byName["c"].Spec.Template.Spec.Containers[0].Image);
        var invalid = Assert.Single(listed.Invalid);
        Assert.Equal("bad", invalid.Name);
        Assert.Contains("$.spec.template.spec.containers[0].ports[0].containerPort", invalid.Problem, StringComparison.Ordinal);

        // The cache's transform takes a template already kept as it is.
        Assert.Same(byName["a"].Spec.Template, CacheTransforms.Function(byName["a"]).Spec.Template);
    }

    [Fact]
    public async Task A_watch_decodes_each_event_on_its_own_names_an_unreadable_one_and_ends_expired_on_a_410_error_event()
    {
        static string Event(string type, string obj) => $$"""{"type":"{{type}}","object":{{obj}}}""";
        var good = Function("good", "{}").Replace("\"generation\":2", "\"generation\":2,\"resourceVersion\":\"8\"", StringComparison.Ordinal);
        var big = Function("big", """{"maxRetries":3000000000}""").Replace("\"generation\":2", "\"generation\":2,\"resourceVersion\":\"9\"", StringComparison.Ordinal);
        var repaired = Function("repaired", "{}", """{"phase":"Running","conditions":"x"}""");
        var source = Answering(string.Join('\n',
            Event("ADDED", good),
            Event("MODIFIED", big),
            Event("MODIFIED", repaired),
            Event("BOOKMARK", """{"kind":"HandoffFunction","apiVersion":"handoff.dev/v1alpha1","metadata":{"resourceVersion":"10"}}"""),
            Event("ERROR", """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 7 (10)","reason":"Expired","code":410}""")));

        var events = new List<ResourceWatchEvent<HandoffFunction>>();
        var expired = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var ev in source.WatchAsync("7", TestContext.Current.CancellationToken))
            {
                events.Add(ev);
            }
        });

        Assert.Contains("too old resource version", expired.Message, StringComparison.Ordinal);
        Assert.Equal(4, events.Count);
        Assert.Equal((WatchEventType.Added, "good", "8"), (events[0].Type, events[0].Object?.Metadata.Name, events[0].ResourceVersion));
        Assert.Null(events[1].Object);
        Assert.Equal(("big", "9"), (events[1].Invalid?.Name, events[1].ResourceVersion));
        Assert.Contains("$.spec.maxRetries", events[1].Invalid!.Problem, StringComparison.Ordinal);
        Assert.Equal(("repaired", "Running", null), (events[2].Object?.Metadata.Name, events[2].Object?.Status.Phase, events[2].Object?.Status.Conditions));
        Assert.Equal((WatchEventType.Bookmark, null, "10"), (events[3].Type, events[3].Object, events[3].ResourceVersion));
    }
}
