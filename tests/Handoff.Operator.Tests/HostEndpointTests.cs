using System.Net;
using Handoff.Testing;
using k8s;

namespace Handoff.Operator.Tests;

public sealed class HostEndpointTests
{

    [Fact]
    public async Task Metrics_and_probes_are_served_on_their_own_addresses_and_the_host_stops_cleanly()
    {
        var ct = TestContext.Current.CancellationToken;
        var metricsPort = FreePort.Next();
        var probePort = FreePort.Next();
        var options = new OperatorOptions
        {
            MetricsAddress = $"127.0.0.1:{metricsPort}",
            ProbeAddress = $"127.0.0.1:{probePort}",
            MetricsSecure = false,
            LogLevel = "Warning",
        };

        // An API server that refuses connections: the operator runs but its caches never sync.
        var config = new KubernetesClientConfiguration { Host = $"http://127.0.0.1:{FreePort.Next()}" };
        var host = await OperatorHost.StartAsync(options, config, new OperatorHostSettings { ConfigureLogging = _ => { } }, ct);
        try
        {
            using var http = new HttpClient();
            var metrics = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), ct);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            var text = await metrics.Content.ReadAsStringAsync(ct);
            Assert.Contains("handoff_scheduling_attempts_total", text, StringComparison.Ordinal);
            Assert.Contains("handoff_scheduling_latency_seconds", text, StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{probePort}/healthz"), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri($"http://127.0.0.1:{probePort}/readyz"), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{probePort}/metrics"), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/healthz"), ct)).StatusCode);
            Assert.False(host.Operator.IsReady);
        }
        finally
        {
            await host.StopAsync(ct).WaitAsync(TimeSpan.FromSeconds(15), ct);
            await host.DisposeAsync();
        }
    }
}
