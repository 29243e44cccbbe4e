using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Handoff.Api.V1Alpha1;
using Handoff.Benchmarks.EndToEnd;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;

namespace Handoff.Benchmarks.Operator;

/// <summary>
/// What the operator's function cache does with each function a list page or watch event brings: decode it and keep
/// it (<see cref="CacheTransforms.Function"/>). With KubernetesClient's options every template is decoded and then
/// written out again to be hashed and shared; with the cache's own (<see cref="CacheTransforms.FunctionJson"/>) a
/// template is shared by the bytes it arrived in and decoded only when new. One operation = one page of 500
/// functions of one kind, as served by the API server (metadata, spec, a Scheduled status with three conditions).
/// </summary>
[Config(typeof(FastConfig))]
public class FunctionDecodeBenchmarks
{
    private const int PageSize = 500;

    private JsonElement _page;

    [GlobalSetup]
    public void Setup()
    {
        var items = new StringBuilder();
        for (var i = 0; i < PageSize; i++)
        {
            var name = FunctionManifest.Name(i);
            var function = FunctionManifest.Json(name, "bench");
            var metadata = "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"bench\",\"uid\":\"" + Guid.NewGuid() +
                "\",\"resourceVersion\":\"" + (1000 + i).ToString(CultureInfo.InvariantCulture) +
                "\",\"generation\":1,\"creationTimestamp\":\"2026-11-30T08:00:00Z\"}";
            var status = ",\"status\":{\"phase\":\"Scheduled\",\"node\":\"node-00042\",\"podName\":\"" + name + "-1\",\"attempts\":1,\"observedGeneration\":1,\"conditions\":[" +
                Condition("DependenciesReady", "True", "Ready") + "," + Condition("Scheduled", "True", "Scheduled") + "," + Condition("Completed", "False", "Running") + "]}";
            function = function.Replace("\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"bench\"}", metadata, StringComparison.Ordinal);
            items.Append(i == 0 ? "" : ",").Append(function[..^1]).Append(status).Append('}');
        }

        _page = JsonDocument.Parse("{\"items\":[" + items + "]}").RootElement.GetProperty("items").Clone();
    }

    private static string Condition(string type, string status, string reason) =>
        "{\"type\":\"" + type + "\",\"status\":\"" + status + "\",\"reason\":\"" + reason +
        "\",\"message\":\"\",\"lastTransitionTime\":\"2026-11-30T08:00:01Z\",\"observedGeneration\":1}";

    [Benchmark(Baseline = true)]
    public int KubernetesClientOptions() => Decode(KubernetesJsonOptions.Value);

    [Benchmark]
    public int TemplatesSharedByTheirJson() => Decode(CacheTransforms.FunctionJson);

    private int Decode(JsonSerializerOptions options)
    {
        var kept = 0;
        foreach (var item in _page.EnumerateArray())
        {
            var function = CacheTransforms.Function(item.Deserialize<HandoffFunction>(options)!);
            kept += function.Spec.Template is null ? 0 : 1;
        }

        return kept;
    }
}
