using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Handoff.Api.Tests.Crds;

/// <summary>
/// Objects validated with JsonSchema.Net, an implementation independent of Handoff's own validator, against the
/// <c>openAPIV3Schema</c> in the CRD files (int-or-string as <c>anyOf</c> integer/string). JSON Schema has no CEL:
/// the map-key rule is emulated as <c>propertyNames</c> by <see cref="CelKeyRule"/>; the other rules (required
/// capacity, the function name length, borrowing needs a cohort) are checked with the CEL evaluator in
/// <c>Validation/HandoffRulesTests</c>.
/// </summary>
public sealed class CrdValidationTests
{
    private const string GoodNode = """
        {
          "apiVersion": "handoff.dev/v1alpha1", "kind": "HandoffNode",
          "metadata": { "name": "gpu-1", "labels": { "zone": "a" } },
          "spec": {
            "nodeName": "k3s-agent-1",
            "capacity": { "cpu": "8", "memory": "16000", "nvidia.com/gpu": "2", "specialized_hardware": "1", "ram": "16Gi", "x": "500m", "y": "1e3", "z": "0.5" },
            "unschedulable": false
          },
          "status": {
            "allocated": { "cpu": "2", "memory": "4000" },
            "available": { "cpu": "6", "memory": "12000", "nvidia.com/gpu": "2", "specialized_hardware": "1" },
            "functions": 1,
            "conditions": [ { "type": "Ready", "status": "True", "reason": "NodeReady", "message": "ok", "lastTransitionTime": "2026-01-01T00:00:00Z" } ],
            "observedGeneration": 3
          }
        }
        """;

    private const string GoodFunction = """
        {
          "apiVersion": "handoff.dev/v1alpha1", "kind": "HandoffFunction",
          "metadata": { "name": "transform", "namespace": "default" },
          "spec": {
            "cost": { "cpu": "2", "memory": "4000", "nvidia.com/gpu": "1" },
            "args": [ "source" ],
            "extraArgs": [ "2", "any string at all: ok!" ],
            "strategy": "FirstAvailable",
            "nodeSelector": { "zone": "a", "example.com/tier": "" },
            "node": "gpu-1",
            "collocateWith": "source",
            "maxRetries": 3,
            "template": { "spec": { "containers": [ { "name": "main", "image": "busybox", "command": [ "sh", "-c", "echo 84 > /dev/termination-log" ] } ] } }
          },
          "status": {
            "phase": "Succeeded", "node": "gpu-1", "podName": "transform-1", "attempts": 1, "result": "84",
            "message": "", "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:00:05Z",
            "conditions": [ { "type": "Completed", "status": "True", "reason": "Succeeded", "lastTransitionTime": "2026-01-01T00:00:05Z" } ],
            "observedGeneration": 1
          }
        }
        """;

    internal static readonly Lazy<JsonSchema> s_nodeSchema = new(() => Build(CrdSchemas.NodeFile));
    internal static readonly Lazy<JsonSchema> s_functionSchema = new(() => Build(CrdSchemas.FunctionFile));
    internal static readonly Lazy<JsonSchema> s_queueSchema = new(() => Build(CrdSchemas.QueueFile));

    private const string GoodQueue = """
        {
          "apiVersion": "handoff.dev/v1alpha1", "kind": "HandoffQueue",
          "metadata": { "name": "team-a" },
          "spec": {
            "quota": { "cpu": 16, "nvidia.com/gpu": "2" },
            "weight": "0.5",
            "cohort": "research",
            "borrowingLimit": { "cpu": "8" },
            "queueingStrategy": "StrictFIFO",
            "namespaceSelector": { "matchLabels": { "team": "a" }, "matchExpressions": [ { "key": "tier", "operator": "In", "values": ["gold"] } ] }
          },
          "status": {
            "pending": 12, "admitted": 4, "usage": { "cpu": "14" }, "borrowed": { "cpu": 0 },
            "conditions": [ { "type": "Active", "status": "True", "reason": "Ready" } ],
            "observedGeneration": 1
          }
        }
        """;

    [Fact]
    public void Contract_example_node_is_valid() => AssertValid(s_nodeSchema.Value, GoodNode);

    [Fact]
    public void Contract_example_function_is_valid() => AssertValid(s_functionSchema.Value, GoodFunction);

    [Fact]
    public void Minimal_objects_are_valid()
    {
        AssertValid(s_nodeSchema.Value, """{"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffNode","metadata":{"name":"n"},"spec":{"capacity":{"cpu":"1"}}}""");
        AssertValid(s_functionSchema.Value, """{"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"f"},"spec":{"template":{}}}""");
    }

    [Fact]
    public void Contract_example_queue_is_valid() => AssertValid(s_queueSchema.Value, GoodQueue);

    // Quantities are integers or quantity strings, as in core Kubernetes.
    [Theory]
    [InlineData("""{"cpu":8}""")]
    [InlineData("""{"cpu":"8","memory":16000,"nvidia.com/gpu":0}""")]
    [InlineData("""{"cpu":"0.5","x":"1e3","y":"500m","z":"16Gi"}""")]
    public void Integer_and_string_quantities_are_valid(string capacity) =>
        AssertValid(s_nodeSchema.Value, With(GoodNode, "spec.capacity", capacity));

    // Bad map keys are reported at the key's own location (propertyNames, standing in for the CEL rule).
    public static TheoryData<string, string, string> BadNodes => new()
    {
        { "spec", "", "/" },
        { "spec.capacity", """{"cpu":"lots"}""", "/spec/capacity/cpu" },
        { "spec.capacity", """{"cpu":"-1"}""", "/spec/capacity/cpu" },
        { "spec.capacity", """{"cpu":-1}""", "/spec/capacity/cpu" },
        { "spec.capacity", """{"cpu":0.5}""", "/spec/capacity/cpu" },
        { "spec.capacity", """{"cpu":true}""", "/spec/capacity/cpu" },
        { "spec.capacity", """{"cpu":"8 cores"}""", "/spec/capacity/cpu" },
        { "spec.capacity", """{"bad name!":"1"}""", "/spec/capacity/bad name!" },
        { "spec.capacity", """{"Example.COM/gpu":"1"}""", "/spec/capacity/Example.COM~1gpu" },
        { "spec.capacity", """{"gpu-":"1"}""", "/spec/capacity/gpu-" },
        { "spec.capacity", """{"a/b/c":"1"}""", "/spec/capacity/a~1b~1c" },
        { "spec.capacity", "{\"" + new string('r', 64) + "\":\"1\"}", "/spec/capacity/" + new string('r', 64) },
        { "spec.capacityFrom", "\"Cluster\"", "/spec/capacityFrom" },
        { "spec.nodeName", "\"Not_A_Node\"", "/spec/nodeName" },
        { "spec.unschedulable", "\"yes\"", "/spec/unschedulable" },
        { "status.functions", "-1", "/status/functions" },
        { "status.functions", "3000000000", "/status/functions" },
        { "status.external", """{"cpu":"-1"}""", "/status/external/cpu" },
        { "status.capacity", """{"cpu":"x"}""", "/status/capacity/cpu" },
        { "status.conditions", """[{"status":"True"}]""", "/status/conditions/0" },
        { "status.conditions", """[{"type":"Ready","status":"Maybe"}]""", "/status/conditions/0/status" },
    };

    [Theory]
    [MemberData(nameof(BadNodes))]
    public void Bad_node_is_rejected(string field, string json, string location) =>
        AssertInvalid(s_nodeSchema.Value, With(GoodNode, field, json), location);

    public static TheoryData<string, string, string> BadFunctions => new()
    {
        { "spec", "", "/" },
        { "spec.maxRetries", "-1", "/spec/maxRetries" },
        { "spec.maxRetries", "\"3\"", "/spec/maxRetries" },
        { "spec.maxRetries", "1.5", "/spec/maxRetries" },
        { "spec.maxRetries", "3000000000", "/spec/maxRetries" },
        { "spec.priority", "2147483648", "/spec/priority" },
        { "spec.priority", "-2147483649", "/spec/priority" },
        { "spec.priorityClassName", "\"High\"", "/spec/priorityClassName" },
        { "spec.queue", "\"Team A\"", "/spec/queue" },
        { "spec.gang", """{"name":"g","minMembers":0}""", "/spec/gang/minMembers" },
        { "spec.gang", """{"minMembers":2}""", "/spec/gang" },
        { "spec.gang", """{"name":"a.b","minMembers":2}""", "/spec/gang/name" },
        { "spec.preemptionPolicy", "\"Always\"", "/spec/preemptionPolicy" },
        { "spec.ttlSecondsAfterFinished", "-1", "/spec/ttlSecondsAfterFinished" },
        { "spec.podGC", "\"OnFailure\"", "/spec/podGC" },
        { "spec.template", """{"spec":{"containers":"x"}}""", "/spec/template/spec/containers" },
        { "spec.template", """{"spec":{"containers":[]}}""", "/spec/template/spec/containers" },
        { "spec.template", """{"spec":{}}""", "/spec/template/spec" },
        { "spec.template", """{"spec":{"containers":[{"name":"main"}]}}""", "/spec/template/spec/containers/0" },
        { "spec.template", """{"spec":{"containers":[{"name":"Main","image":"busybox"}]}}""", "/spec/template/spec/containers/0/name" },
        { "spec.template", """{"spec":{"containers":["busybox"]}}""", "/spec/template/spec/containers/0" },
        { "spec.template", """{"metadata":{"labels":{"a":1}},"spec":{"containers":[{"name":"m","image":"i"}]}}""", "/spec/template/metadata/labels/a" },
        { "status.queuePosition", "0", "/status/queuePosition" },
        { "status.nominatedNode", "\"Node 1\"", "/status/nominatedNode" },
        { "spec.strategy", "\"Random\"", "/spec/strategy" },
        { "spec.strategy", "\"firstavailable\"", "/spec/strategy" },
        { "spec.cost", """{"cpu":"two"}""", "/spec/cost/cpu" },
        { "spec.cost", """{"cpu ":"2"}""", "/spec/cost/cpu " },
        { "spec.cost", """{"/gpu":"2"}""", "/spec/cost/~1gpu" },
        { "spec.args", """["Source"]""", "/spec/args/0" },
        { "spec.args", """["with_underscore"]""", "/spec/args/0" },
        { "spec.args", "[\"" + new string('a', 64) + "\"]", "/spec/args/0" },
        { "spec.args", "\"source\"", "/spec/args" },
        { "spec.node", "\"GPU 1\"", "/spec/node" },
        { "spec.collocateWith", "\"a.b\"", "/spec/collocateWith" },
        { "spec.nodeSelector", """{"zone":"a b"}""", "/spec/nodeSelector/zone" },
        { "spec.template", "\"busybox\"", "/spec/template" },
        { "status.phase", "\"Exploded\"", "/status/phase" },
        { "status.attempts", "-2", "/status/attempts" },
    };

    [Fact]
    public void Args_are_bounded_by_the_input_limit()
    {
        AssertValid(s_functionSchema.Value, With(GoodFunction, "spec.args", ArgsJson(Core.Lifecycle.InputLimits.MaxArgs)));
        AssertInvalid(s_functionSchema.Value, With(GoodFunction, "spec.args", ArgsJson(Core.Lifecycle.InputLimits.MaxArgs + 1)), "/spec/args");
    }

    private static string ArgsJson(int count) => "[" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"a{i}\"")) + "]";

    [Theory]
    [MemberData(nameof(BadFunctions))]
    public void Bad_function_is_rejected(string field, string json, string location) =>
        AssertInvalid(s_functionSchema.Value, With(GoodFunction, field, json), location);

    public static TheoryData<string, string, string> BadQueues => new()
    {
        { "spec", "", "/" },
        { "spec.weight", "0", "/spec/weight" },
        { "spec.weight", "\"0\"", "/spec/weight" },
        { "spec.weight", "\"0.0\"", "/spec/weight" },
        { "spec.weight", "-1", "/spec/weight" },
        { "spec.weight", "0.5", "/spec/weight" },
        { "spec.quota", """{"cpu":"many"}""", "/spec/quota/cpu" },
        { "spec.cohort", "\"Research Team\"", "/spec/cohort" },
        { "spec.queueingStrategy", "\"FIFO\"", "/spec/queueingStrategy" },
        { "spec.namespaceSelector", """{"matchExpressions":[{"key":"tier","operator":"Near"}]}""", "/spec/namespaceSelector/matchExpressions/0/operator" },
        { "spec.namespaceSelector", """{"matchExpressions":[{"operator":"Exists"}]}""", "/spec/namespaceSelector/matchExpressions/0" },
        { "spec.namespaceSelector", """{"matchLabels":{"team":"a b"}}""", "/spec/namespaceSelector/matchLabels/team" },
        { "status.pending", "-1", "/status/pending" },
        { "status.admitted", "2147483648", "/status/admitted" },
    };

    [Theory]
    [MemberData(nameof(BadQueues))]
    public void Bad_queue_is_rejected(string field, string json, string location) =>
        AssertInvalid(s_queueSchema.Value, With(GoodQueue, field, json), location);

    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    [InlineData("\"0.5\"")]
    [InlineData("\"250m\"")]
    [InlineData("\"1e3\"")]
    public void Positive_weights_are_valid(string weight) =>
        AssertValid(s_queueSchema.Value, With(GoodQueue, "spec.weight", weight));

    [Fact]
    public void Too_many_resources_are_rejected()
    {
        var cost = new JsonObject();
        for (var i = 0; i < Handoff.Api.Crds.CrdPatterns.MaxResources + 1; i++)
        {
            cost[$"r{i}"] = "1";
        }

        AssertInvalid(s_functionSchema.Value, With(GoodFunction, "spec.cost", cost.ToJsonString()), "/spec/cost");
    }

    /// <summary>The good document with one field replaced (or removed when <paramref name="json"/> is empty).</summary>
    private static string With(string document, string field, string json)
    {
        var root = JsonNode.Parse(document)!.AsObject();
        var parts = field.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        if (json.Length == 0)
        {
            Assert.True(parent.Remove(parts[^1]), $"{field} is not in the example");
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(json);
        }

        return root.ToJsonString();
    }

    private static void AssertValid(JsonSchema schema, string json)
    {
        var result = Evaluate(schema, json);
        Assert.True(result.IsValid, "Expected valid, got: " + Describe(result));
    }

    private static void AssertInvalid(JsonSchema schema, string json, string location)
    {
        var result = Evaluate(schema, json);
        Assert.False(result.IsValid, $"Expected an error at {location}, but the object was accepted: {json}");
        var at = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => d.InstanceLocation.ToString()).ToList();
        Assert.True(
            at.Contains(location == "/" ? "" : location, StringComparer.Ordinal),
            $"Expected an error at {location}; errors: {Describe(result)}");
    }

    internal static EvaluationResults Evaluate(JsonSchema schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    internal static string Describe(EvaluationResults result) => string.Join(
        "; ",
        (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    private static JsonSchema Build(string file)
    {
        var schema = CrdSchemas.OpenApiSchema(file);
        ToJsonSchema(schema);
        // Draft 2020-12 (what the API server's OpenAPI v3 subset maps onto) with unknown keywords allowed: the
        // x-kubernetes-* extensions are the API server's business, not JSON Schema's.
        return JsonSchema.FromText(schema.ToJsonString(), new BuildOptions { Dialect = Dialect.Draft202012 });
    }

    /// <summary>What JSON Schema can say of the CRD extensions: int-or-string as anyOf, the map-key rule as propertyNames.</summary>
    private static void ToJsonSchema(JsonObject node)
    {
        foreach (var rule in node["x-kubernetes-validations"] as JsonArray ?? [])
        {
            if (CelKeyRule.TryParse(rule!["rule"]!.GetValue<string>(), out var pattern))
            {
                node["propertyNames"] = new JsonObject { ["pattern"] = pattern };
            }
        }

        if (node["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            node["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
        }

        foreach (var child in new[] { node["items"], node["additionalProperties"] }.OfType<JsonObject>()
            .Concat((node["properties"] as JsonObject ?? []).Select(p => p.Value).OfType<JsonObject>()))
        {
            ToJsonSchema(child);
        }
    }
}
