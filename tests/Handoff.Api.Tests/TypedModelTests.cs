using System.Text.Json;
using Handoff.Api.V1Alpha1;
using k8s;

namespace Handoff.Api.Tests;

/// <summary>
/// The C# models as the operator decodes objects from a cluster (KubernetesJson): quantities written as numbers, new
/// fields, and values of objects stored before the schema bound them.
/// </summary>
public sealed class TypedModelTests
{
    [Fact]
    public void Quantities_written_as_numbers_decode_to_their_text_and_encode_as_strings()
    {
        var function = KubernetesJson.Deserialize<HandoffFunction>("""
            {"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"f"},
             "spec":{"cost":{"cpu":8,"memory":"16Gi","x":0.5,"y":1e3}}}
            """);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "8", ["memory"] = "16Gi", ["x"] = "0.5", ["y"] = "1e3" }, function.Spec.Cost);
        Assert.Contains("\"cost\":{\"cpu\":\"8\",\"memory\":\"16Gi\",\"x\":\"0.5\",\"y\":\"1e3\"}", KubernetesJson.Serialize(function), StringComparison.Ordinal);

        var queue = KubernetesJson.Deserialize<HandoffQueue>("""{"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffQueue","metadata":{"name":"q"},"spec":{"weight":1,"quota":{"cpu":16}}}""");
        Assert.Equal(("1", "16"), (queue.Spec.Weight, queue.Spec.Quota!["cpu"]));
    }

    [Fact]
    public void A_function_has_metadata_spec_and_status_whether_made_or_decoded_and_one_of_each()
    {
        var made = new HandoffFunction();
        Assert.Same(made.Metadata, made.Metadata);
        Assert.Same(made.Spec, made.Spec);
        Assert.Same(made.Status, made.Status);

        var decoded = KubernetesJson.Deserialize<HandoffFunction>("""
            {"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"f"},"spec":{"cost":{"cpu":"1"}}}
            """);
        Assert.Equal("f", decoded.Metadata.Name);
        Assert.Equal("1", decoded.Spec.Cost!["cpu"]);
        Assert.Null(decoded.Status.Phase);
        Assert.Contains("\"status\":{\"attempts\":0}", KubernetesJson.Serialize(decoded), StringComparison.Ordinal);

        decoded.Status = null!;
        Assert.NotNull(decoded.Status);

        // Read by many threads at once before any has it: all see the one status.
        var raced = new HandoffFunction[200].Select(_ => new HandoffFunction()).ToArray();
        var seen = raced.AsParallel().SelectMany(f => Enumerable.Range(0, 4).Select(_ => (f, f.Status))).ToArray();
        Assert.All(seen, pair => Assert.Same(pair.f.Status, pair.Item2));
    }

    [Fact]
    public void New_fields_round_trip()
    {
        var json = """
            {"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"f"},
             "spec":{"queue":"team-a","priority":-5,"priorityClassName":"high","gang":{"name":"train","minMembers":4},
               "preemptionPolicy":"Never","ttlSecondsAfterFinished":3600,"podGC":"OnCompletion"},
             "status":{"nominatedNode":"gpu-1","queuePosition":3}}
            """;
        var function = KubernetesJson.Deserialize<HandoffFunction>(json);
        Assert.Equal(("team-a", -5, "high", "train", 4), (function.Spec.Queue, function.Spec.Priority, function.Spec.PriorityClassName, function.Spec.Gang!.Name, function.Spec.Gang.MinMembers));
        Assert.Equal((PreemptionPolicies.Never, 3600, PodGCPolicies.OnCompletion), (function.Spec.PreemptionPolicy, function.Spec.TtlSecondsAfterFinished, function.Spec.PodGC));
        Assert.Equal(("gpu-1", 3), (function.Status.NominatedNode, function.Status.QueuePosition));
        var again = KubernetesJson.Deserialize<HandoffFunction>(KubernetesJson.Serialize(function));
        Assert.Equal(KubernetesJson.Serialize(function), KubernetesJson.Serialize(again));

        var node = KubernetesJson.Deserialize<HandoffNode>("""{"spec":{"capacityFrom":"Node"},"status":{"capacity":{"cpu":"8","pods":110},"external":{"cpu":"1500m"}}}""");
        Assert.Equal((CapacitySources.Node, "110", "1500m"), (node.Spec.CapacityFrom, node.Status.Capacity!["pods"], node.Status.External!["cpu"]));

        var queue = KubernetesJson.Deserialize<HandoffQueue>("""
            {"spec":{"cohort":"research","borrowingLimit":{"cpu":"8"},"queueingStrategy":"StrictFIFO","namespaceSelector":{"matchLabels":{"team":"a"},"matchExpressions":[{"key":"tier","operator":"In","values":["gold"]}]}},
             "status":{"pending":12,"admitted":4,"usage":{"cpu":"14"},"borrowed":{"cpu":"0"},"conditions":[{"type":"Active","status":"True"}],"observedGeneration":2}}
            """);
        Assert.Equal(("research", "8", QueueingStrategies.StrictFIFO, "a", "gold"), (queue.Spec.Cohort, queue.Spec.BorrowingLimit!["cpu"], queue.Spec.QueueingStrategy, queue.Spec.NamespaceSelector!.MatchLabels["team"], queue.Spec.NamespaceSelector.MatchExpressions[0].Values[0]));
        Assert.Equal((12, 4, "14", "0", 2L), (queue.Status.Pending, queue.Status.Admitted, queue.Status.Usage!["cpu"], queue.Status.Borrowed!["cpu"], queue.Status.ObservedGeneration));
    }

    /// <summary>
    /// An object stored before the schema bound its integers may hold a value no C# int can: decoding it fails with an
    /// exception naming the field, so the operator can skip that one object and report it (the schema now refuses
    /// such values, so no new object can carry one). In-range but invalid values (a negative maxRetries) decode and
    /// are refused by the mapping.
    /// </summary>
    [Theory]
    [InlineData("""{"spec":{"maxRetries":3000000000}}""", "$.spec.maxRetries")]
    [InlineData("""{"status":{"attempts":1e12}}""", "$.status.attempts")]
    [InlineData("""{"spec":{"gang":{"name":"g","minMembers":99999999999}}}""", "$.spec.gang.minMembers")]
    [InlineData("""{"spec":{"cost":{"cpu":true}}}""", "$.spec.cost")]
    public void Values_out_of_the_models_range_fail_to_decode_naming_the_field(string json, string path)
    {
        var error = Assert.ThrowsAny<JsonException>(() => KubernetesJson.Deserialize<HandoffFunction>(json));
        Assert.StartsWith(path, error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_in_the_models_range_but_out_of_the_schemas_decode() =>
        Assert.Equal(-1, KubernetesJson.Deserialize<HandoffFunction>("""{"spec":{"maxRetries":-1}}""").Spec.MaxRetries);
}
