using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Chaos.Workload;
using Handoff.Core.Resources;
using Handoff.Sandbox;

namespace Handoff.Chaos.Cluster;

/// <summary>
/// The sandbox API server of one chaos run, in this process (SimulateKubelet on; the admin endpoint and the write
/// journal on), with a simulated Kubernetes node for each HandoffNode — allocatable far above the HandoffNodes'
/// capacities, so the kubelet never refuses a pod and every limit is Handoff's — the CRDs, the workload's namespace and
/// its HandoffNodes. The run's own requests carry <see cref="DriverAgent"/>; faults go through the admin endpoint,
/// aimed at the operators' user agent, as a tool outside the process would send them.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public const string DriverAgent = "handoff-chaos/1.0";

    private ChaosCluster(SandboxServer server, string kubeconfig)
    {
        Server = server;
        Kubeconfig = kubeconfig;
        Api = Client(server.BaseAddress);
        Admin = Client(server.AdminAddress!);
    }

    public SandboxServer Server { get; }

    public string Kubeconfig { get; }

    /// <summary>The run's client of the API (its user agent is <see cref="DriverAgent"/>).</summary>
    public HttpClient Api { get; }

    /// <summary>The sandbox's admin endpoint (faults).</summary>
    public HttpClient Admin { get; }

    public static async Task<ChaosCluster> StartAsync(ChaosWorkload workload, string directory, CancellationToken cancellationToken)
    {
        var server = await SandboxServer.StartAsync(new SandboxOptions
        {
            Nodes = [.. workload.Nodes.Select(n => new SandboxNode(n.KubernetesNode)
            {
                Allocatable = new Dictionary<string, string> { ["cpu"] = "1000", ["memory"] = "1000Gi", ["pods"] = "100000" },
            })],
            SimulateKubelet = true,
            DefaultPodDuration = TimeSpan.FromMilliseconds(200),
            AdminPort = 0,
            RecordWrites = true,
        }, cancellationToken);
        try
        {
            var crds = SandboxHost.FindCrds(AppContext.BaseDirectory) ?? SandboxHost.FindCrds(Environment.CurrentDirectory)
                ?? throw new DirectoryNotFoundException("crds/ not found above " + AppContext.BaseDirectory);
            await server.InstallCrdsAsync(crds, cancellationToken);
            var cluster = new ChaosCluster(server, server.WriteKubeconfig(Path.Combine(directory, "kubeconfig")));
            await cluster.SendAsync(HttpMethod.Post, "api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = workload.Namespace } }, cancellationToken);
            foreach (var node in workload.Nodes)
            {
                await cluster.SendAsync(HttpMethod.Post, "apis/handoff.dev/v1alpha1/handoffnodes", new JsonObject
                {
                    ["apiVersion"] = "handoff.dev/v1alpha1",
                    ["kind"] = "HandoffNode",
                    ["metadata"] = new JsonObject { ["name"] = node.Name },
                    ["spec"] = new JsonObject { ["nodeName"] = node.KubernetesNode, ["capacity"] = Map(node.Capacity) },
                }, cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends a request of the run; retries 429, 5xx and transport errors for up to a minute (the run's requests are
    /// never the target of faults, but a busy machine is slow). Returns the status code and body of the final answer.
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(
        HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string contentType = "application/json", HttpClient? client = null)
    {
        var clock = Stopwatch.StartNew();
        for (var delay = 50; ; delay = Math.Min(delay * 2, 2000))
        {
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
                if (body is not null)
                {
                    request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue(contentType));
                }

                using var response = await (client ?? Api).SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var status = response.StatusCode;
                if ((status == HttpStatusCode.TooManyRequests || (int)status >= 500) && clock.Elapsed < TimeSpan.FromMinutes(1))
                {
                    await Task.Delay(delay, cancellationToken);
                    continue;
                }

                return (status, text);
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>Sends to the admin endpoint; throws unless it answers 2xx.</summary>
    public async Task AdminAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var (status, text) = await SendAsync(method, path, body, cancellationToken, client: Admin);
        if ((int)status >= 300)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)status} {text}");
        }
    }

    /// <summary>The lease's holder identity, or null when nobody holds it.</summary>
    public async Task<string?> LeaseHolderAsync(string leaseNamespace, string leaseName, CancellationToken cancellationToken)
    {
        var (status, text) = await SendAsync(HttpMethod.Get, $"apis/coordination.k8s.io/v1/namespaces/{leaseNamespace}/leases/{leaseName}", null, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.TryGetProperty("spec", out var spec) && spec.TryGetProperty("holderIdentity", out var holder) ? holder.GetString() : null;
    }

    /// <summary>
    /// Null once every function of the workload exists and is Succeeded or Failed and every HandoffNode's status holds
    /// nothing (allocated all zero, functions 0); else what is not settled yet.
    /// </summary>
    public async Task<string?> UnsettledAsync(ChaosWorkload workload, CancellationToken cancellationToken)
    {
        var (fs, functionsText) = await SendAsync(HttpMethod.Get, $"apis/handoff.dev/v1alpha1/namespaces/{workload.Namespace}/handofffunctions", null, cancellationToken);
        var (ns, nodesText) = await SendAsync(HttpMethod.Get, "apis/handoff.dev/v1alpha1/handoffnodes", null, cancellationToken);
        if (fs != HttpStatusCode.OK || ns != HttpStatusCode.OK)
        {
            return $"lists answered {(int)fs} and {(int)ns}";
        }

        using var functions = JsonDocument.Parse(functionsText);
        using var nodes = JsonDocument.Parse(nodesText);
        var phases = functions.RootElement.GetProperty("items").EnumerateArray().ToDictionary(
            f => f.GetProperty("metadata").GetProperty("name").GetString()!,
            f => f.TryGetProperty("status", out var s) ? (Phase: Text(s, "phase"), Reason: Text(s, "message")) : (null, null),
            StringComparer.Ordinal);
        var open = workload.Functions.Where(f => phases.GetValueOrDefault(f.Name).Phase is not ("Succeeded" or "Failed")).ToList();
        var held = nodes.RootElement.GetProperty("items").EnumerateArray()
            .Where(n => !n.TryGetProperty("status", out var s) || Number(s, "functions") != 0 ||
                        (s.TryGetProperty("allocated", out var a) && a.ValueKind == JsonValueKind.Object &&
                         a.EnumerateObject().Any(r => ResourceList.ParseQuantity(r.Name, r.Value.GetString()) != 0)))
            .Select(n => n.GetProperty("metadata").GetProperty("name").GetString())
            .ToList();
        if (open.Count == 0 && held.Count == 0)
        {
            return null;
        }

        return $"{open.Count} functions not finished ({string.Join("; ", open.Take(8).Select(f => $"{f.Name}: {phases.GetValueOrDefault(f.Name).Phase ?? "missing"} {phases.GetValueOrDefault(f.Name).Reason}"))}), " +
               $"{held.Count} HandoffNodes still holding ({string.Join(", ", held)})";
    }

    public static JsonObject Map(IReadOnlyDictionary<string, string> map) => new([.. map.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))]);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
    }

    private static HttpClient Client(Uri address)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(DriverAgent);
        return http;
    }

    private static string? Text(JsonElement e, string property) => e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Number(JsonElement e, string property) => e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
}
