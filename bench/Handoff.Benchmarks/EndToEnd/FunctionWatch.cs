using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// The runs' view of progress: a watch (over the bench's own HTTP client) that records in a <see cref="FirstSeen"/> when
/// each function first reaches a state — its pod bound, its status <c>Scheduled</c> or <c>Succeeded</c>.
/// </summary>
public static class FunctionWatch
{
    /// <summary>Pods of the functions in <paramref name="ns"/>, from resourceVersion <paramref name="rv"/>.</summary>
    public static string Pods(string ns, string rv) => $"api/v1/namespaces/{ns}/pods?labelSelector=handoff.dev%2Ffunction&resourceVersion={rv}";

    /// <summary>HandoffFunctions in <paramref name="ns"/>, from resourceVersion <paramref name="rv"/>.</summary>
    public static string Functions(string ns, string rv) => $"apis/handoff.dev/v1alpha1/namespaces/{ns}/handofffunctions?resourceVersion={rv}";

    /// <summary>The function a pod event shows bound, if it does.</summary>
    public static string? BoundFunction(JsonElement pod) =>
        pod.TryGetProperty("spec", out var spec) && spec.TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 }
            ? pod.GetProperty("metadata").GetProperty("labels").GetProperty("handoff.dev/function").GetString()
            : null;

    /// <summary>The function a HandoffFunction event shows reported Scheduled (or later: a fast pod may skip it), if it does.</summary>
    public static string? ScheduledFunction(JsonElement function) => InPhase(function, "Scheduled", "Running", "Succeeded", "Failed");

    /// <summary>The function a HandoffFunction event shows Succeeded, if it does.</summary>
    public static string? SucceededFunction(JsonElement function) => InPhase(function, "Succeeded");

    /// <summary>
    /// A run's two watches over <paramref name="ns"/>, from the cluster's resourceVersion now: when each function's pod
    /// is first seen bound, and when its status first says Scheduled (or later). They run until cancelled.
    /// </summary>
    public static (FirstSeen Bound, FirstSeen Scheduled, Task Watches) BoundAndScheduled(
        EndToEndCluster cluster, string ns, int functions, Stopwatch clock, CancellationToken cancellationToken)
    {
        var rv = cluster.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var bound = new FirstSeen(functions, clock);
        var scheduled = new FirstSeen(functions, clock);
        var watches = Task.WhenAll(
            WatchAsync(cluster, Pods(ns, rv), BoundFunction, bound, cancellationToken),
            WatchAsync(cluster, Functions(ns, rv), ScheduledFunction, scheduled, cancellationToken));
        return (bound, scheduled, watches);
    }

    /// <summary>Watches <paramref name="path"/> until cancelled and records when each function is first seen reached (by <paramref name="reached"/>).</summary>
    public static async Task WatchAsync(
        EndToEndCluster cluster, string path, Func<JsonElement, string?> reached, FirstSeen seen, CancellationToken cancellationToken)
    {
        var uri = new Uri(path + "&watch=true&timeoutSeconds=3600", UriKind.Relative);
        try
        {
            using var response = await cluster.Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.GetProperty("type").GetString() == "ERROR")
                {
                    throw new InvalidOperationException($"the watch of {path} failed: {line}");
                }

                if (reached(doc.RootElement.GetProperty("object")) is { } function)
                {
                    seen.Add(function);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static string? InPhase(JsonElement function, params ReadOnlySpan<string> phases) =>
        function.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) &&
        phase.GetString() is { } value && phases.Contains(value)
            ? function.GetProperty("metadata").GetProperty("name").GetString()
            : null;
}
