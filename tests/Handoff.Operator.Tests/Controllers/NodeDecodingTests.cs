using System.Text;
using System.Text.Json;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Tests.Controllers;

/// <summary>How a Node status report is decoded for the cache: quantities kept once by their text, only the Ready condition read.</summary>
public sealed class NodeDecodingTests
{
    private static ResourceQuantity Read(SharedInstances<ResourceQuantity> kept, string text) =>
        JsonSerializer.Deserialize<ResourceQuantity>("\"" + text + "\"", new JsonSerializerOptions { Converters = { new KeptQuantityJsonConverter(kept) } })!;

    [Fact]
    public void A_quantity_is_kept_once_by_its_text_and_once_by_its_value_whatever_its_spelling()
    {
        var kept = new SharedInstances<ResourceQuantity>(q => q.ToString());

        var cpu = Read(kept, "1000m");
        Assert.Same(cpu, Read(kept, "1000m"));
        Assert.Same(cpu, Read(kept, "1")); // the same value written otherwise
        Assert.Same(cpu, kept.Share(new ResourceQuantity("1")));
        Assert.Same(cpu, kept.Share(cpu));
        Assert.Equal("1", cpu.ToString());
        var memory = Read(kept, "64Gi");
        Assert.NotSame(cpu, memory);
        Assert.Equal("64Gi", memory.ToString());
        Assert.True(kept.IsKept(memory));
    }

    [Theory]
    [InlineData("""{"allocatable":{"cpu":"2","memory":"4Gi"}}""", "2", "4Gi")]
    [InlineData("""{"allocatable":{"cpu":2,"memory":"4\u0047i"}}""", "2", "4Gi")] // a bare number; an escaped letter
    public void Quantities_read_through_the_cache_options_are_the_values_written(string status, string cpu, string memory)
    {
        var read = JsonSerializer.Deserialize<V1NodeStatus>(status, CacheTransforms.NodeJson)!;

        Assert.Equal((cpu, memory), (read.Allocatable["cpu"].ToString(), read.Allocatable["memory"].ToString()));
        Assert.Same(read.Allocatable["memory"], JsonSerializer.Deserialize<V1NodeStatus>(status, CacheTransforms.NodeJson)!.Allocatable["memory"]);
    }

    [Theory]
    [InlineData("""{"conditions":[{"type":"MemoryPressure","status":"False"},{"status":"True","reason":"KubeletReady","type":"Ready"}]}""", "True")]
    [InlineData("""{"conditions":[{"status":"False","type":"Ready","message":"PLEG is not healthy"},{"type":"DiskPressure","status":"True"}]}""", "False")]
    [InlineData("""{"conditions":[{"type":"Re\u0061dy","status":"Unknown"},null]}""", "Unknown")]
    public void Only_the_Ready_condition_is_read_wherever_its_type_is_written(string status, string readyStatus)
    {
        var read = JsonSerializer.Deserialize<V1NodeStatus>(status, CacheTransforms.NodeJson)!;

        var ready = Assert.Single(read.Conditions);
        Assert.Equal(("Ready", readyStatus), (ready.Type, ready.Status));
    }

    [Fact]
    public void A_Node_without_a_Ready_condition_or_without_conditions_reads_as_such()
    {
        Assert.Empty(JsonSerializer.Deserialize<V1NodeStatus>("""{"conditions":[{"type":"PIDPressure","status":"False"}]}""", CacheTransforms.NodeJson)!.Conditions);
        Assert.Null(JsonSerializer.Deserialize<V1NodeStatus>("""{"conditions":null}""", CacheTransforms.NodeJson)!.Conditions);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<V1NodeStatus>("""{"conditions":{}}""", CacheTransforms.NodeJson));
    }

    [Fact]
    public void What_the_cache_options_read_they_write_back_the_same()
    {
        const string status = """{"allocatable":{"cpu":"1500m"},"conditions":[{"lastTransitionTime":"2026-12-01T03:00:00Z","message":"ready","reason":"KubeletReady","status":"True","type":"Ready"}]}""";
        var read = JsonSerializer.Deserialize<V1NodeStatus>(status, CacheTransforms.NodeJson)!;

        var written = JsonSerializer.Serialize(read, CacheTransforms.NodeJson);

        var options = Operator.Infrastructure.KubernetesJsonOptions.Value;
        Assert.Equal(
            JsonSerializer.Serialize(JsonSerializer.Deserialize<V1NodeStatus>(status, options), options),
            JsonSerializer.Serialize(JsonSerializer.Deserialize<V1NodeStatus>(written, options), options));
    }

    [Fact]
    public void A_list_of_Nodes_decoded_from_a_stream_a_buffer_at_a_time_keeps_each_Ready_condition()
    {
        // Far larger than the decoder's buffer: the conditions are read from a reader over part of the list (a list page
        // of the informer); a reader that is not over its final block refuses Skip.
        var nodes = Enumerable.Range(0, 300).Select(i => new V1Node
        {
            Metadata = new V1ObjectMeta { Name = $"node-{i:D3}", ResourceVersion = "7" },
            Status = new V1NodeStatus
            {
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("16"), ["memory"] = new("64Gi") },
                Conditions =
                [
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False", Reason = "KubeletHasSufficientMemory", Message = "kubelet has sufficient memory available" },
                    new V1NodeCondition { Type = "Ready", Status = i % 2 == 0 ? "True" : "False", Reason = "KubeletReady", Message = "kubelet is posting ready status" },
                    new V1NodeCondition { Type = "DiskPressure", Status = "False", Reason = "KubeletHasNoDiskPressure", Message = "kubelet has no disk pressure" },
                ],
            },
        }).ToList();
        var json = k8s.KubernetesJson.Serialize(new V1NodeList { Items = nodes, Metadata = new V1ListMeta { ResourceVersion = "7" } });
        Assert.True(json.Length > 64 * 1024);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var list = JsonSerializer.Deserialize<V1NodeList>(stream, CacheTransforms.NodeJson)!;

        Assert.Equal(300, list.Items.Count);
        Assert.All(list.Items, (node, i) => Assert.Equal(("Ready", i % 2 == 0 ? "True" : "False"), (Assert.Single(node.Status.Conditions).Type, node.Status.Conditions[0].Status)));
        Assert.Same(list.Items[0].Status.Allocatable["memory"], list.Items[299].Status.Allocatable["memory"]);
    }
}
