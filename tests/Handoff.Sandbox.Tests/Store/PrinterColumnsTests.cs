using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>The JSONPath subset of printer columns.</summary>
public sealed class PrinterColumnsTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData(".status.phase", "Running")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData(".status.conditions[0].type", "Scheduled")]
    [InlineData(".status.conditions[*].type", "Scheduled,Ready")]
    [InlineData("{.spec.cost.nvidia\\.com/gpu}", null)]
    public void Printer_column_JSONPath_subset(string path, string? expected)
    {
        var obj = Obj("""{"status":{"phase":"Running","conditions":[{"type":"Scheduled","status":"True"},{"type":"Ready","status":"True"}]}}""");
        var values = PrinterColumns.Evaluate(obj, path);
        Assert.Equal(expected, values.Count == 0 ? null : string.Join(",", values.Select(Jn.ScalarText)));
    }
}
