using Handoff.Api.V1Alpha1;
using Handoff.Chart.Tests.Support;
using Handoff.Testing;
using k8s;

namespace Handoff.Chart.Tests;

/// <summary>NOTES.txt tells the user how to apply a first function, and its YAML is valid.</summary>
public sealed class NotesTests
{
    [Fact]
    public async Task Notes_show_a_valid_first_node_and_function_and_how_to_watch_them()
    {
        var notes = await RenderNotesAsync([], TestContext.Current.CancellationToken);
        Assert.Contains("kubectl get hf -w", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl apply -f charts/handoff/crds/", notes, StringComparison.Ordinal);

        var node = KubernetesYaml.Deserialize<HandoffNode>(Block(notes, "HandoffNode"), strict: true);
        Assert.NotEmpty(node.Spec.Capacity);
        var function = KubernetesYaml.Deserialize<HandoffFunction>(Block(notes, "HandoffFunction"), strict: true);
        Assert.Equal("hello", function.Metadata.Name);
        Assert.Equal("busybox", Assert.Single(function.Spec.Template.Spec.Containers).Image);
    }

    [Fact]
    public async Task Notes_follow_the_values()
    {
        var notes = await RenderNotesAsync([Path.Combine(ChartPaths.TestValues, "production.yaml")], TestContext.Current.CancellationToken);
        Assert.Contains("kubectl get hf -w -n pipelines", notes, StringComparison.Ordinal);
        Assert.Contains("Leader election is on", notes, StringComparison.Ordinal);
        Assert.Contains("schedulerName \"handoff-prod\"", notes, StringComparison.Ordinal);
    }

    /// <summary>The NOTES of a client-side dry-run install (no cluster contacted).</summary>
    internal static async Task<string> RenderNotesAsync(string[] valuesFiles, CancellationToken ct)
    {
        var result = await Helm.RunAsync(
            ["install", Helm.Release, RepoPaths.Chart, "--namespace", Helm.Namespace, "--dry-run=client", .. valuesFiles.SelectMany(f => new[] { "--values", f })],
            ct);
        Assert.True(result.Succeeded, result.ToString());
        var start = result.Stdout.IndexOf("\nNOTES:\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "no NOTES in:\n" + result.Stdout);
        return result.Stdout[(start + "\nNOTES:\n".Length)..];
    }

    /// <summary>The flush-left YAML block in the notes that declares the given kind.</summary>
    internal static string Block(string notes, string kind)
    {
        var lines = notes.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var kindLine = Array.IndexOf(lines, "kind: " + kind);
        Assert.True(kindLine > 0 && lines[kindLine - 1].StartsWith("apiVersion: ", StringComparison.Ordinal), $"no {kind} block in the notes:\n{notes}");
        return string.Join('\n', lines.Skip(kindLine - 1).TakeWhile(l => l.Length > 0));
    }
}
