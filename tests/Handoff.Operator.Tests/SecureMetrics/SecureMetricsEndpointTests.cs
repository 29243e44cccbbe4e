using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using Microsoft.Extensions.Logging;

namespace Handoff.Operator.Tests.SecureMetrics;

/// <summary>
/// /metrics over real HTTPS with the RBAC-enforcing sandbox as the API server: the real operator binary with its
/// default (self-signed) certificate, and the host with a mounted Secret's certificate. Anonymous scrapes are 401, a
/// token without the permission is 403, a token bound to the chart's metrics reader role gets the metrics.
/// </summary>
public sealed class SecureMetricsEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Scrapes with <paramref name="token"/> (none when null); <paramref name="trust"/> decides on the server's certificate.</summary>
    private static async Task<(HttpStatusCode Code, string Body, X509Certificate2? Certificate)> ScrapeAsync(
        int port, string? token, Func<X509Certificate2?, bool>? trust = null, string path = "/metrics")
    {
        X509Certificate2? seen = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            seen = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return trust?.Invoke(seen) ?? true;
        };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://127.0.0.1:{port}{path}"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), seen);
    }

    [Fact]
    public async Task The_binary_serves_metrics_over_https_to_authorized_scrapers_only()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "1" });
        var reader = await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);
        await cluster.Server.ApplyAsync($"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: stranger, namespace: {cluster.Namespace}}}\n", "test", Ct);
        var stranger = await cluster.Server.CreateTokenAsync(cluster.Namespace, "stranger", cancellationToken: Ct);
        var dir = Directory.CreateTempSubdirectory("handoff-secure-metrics-");
        var (metricsPort, probePort) = (FreePort(), FreePort());
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll"),
            // The operator authenticates as the chart's ServiceAccount: its ClusterRole allows the reviews.
            "--kubeconfig", cluster.Server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig"), token: cluster.OperatorToken),
            "--namespace", cluster.Namespace, "--metrics-address", $"127.0.0.1:{metricsPort}", "--probe-address", $"127.0.0.1:{probePort}",
        })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var variable in OperatorOptionsBinder.Flags.SelectMany(f => f.EnvironmentVariables))
        {
            psi.Environment.Remove(variable);
        }

        psi.Environment["POD_NAME"] = "handoff-7d9f8-abcde";
        var lines = new ConcurrentQueue<string>();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => lines.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => lines.Enqueue("stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var probes = new HttpClient();
            await Wait.UntilAsync(
                async () => (await probes.GetAsync(new Uri($"http://127.0.0.1:{probePort}/readyz"), Ct)).StatusCode == HttpStatusCode.OK,
                "/readyz answers 200", TimeSpan.FromSeconds(30));

            var anonymous = await ScrapeAsync(metricsPort, null);
            Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized\n"), (anonymous.Code, anonymous.Body));
            Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(metricsPort, "not-a-token")).Code);
            var denied = await ScrapeAsync(metricsPort, stranger);
            Assert.Equal((HttpStatusCode.Forbidden, $"Authorization denied for user system:serviceaccount:{cluster.Namespace}:stranger\n"), (denied.Code, denied.Body));

            var scraped = await ScrapeAsync(metricsPort, reader);
            Assert.Equal(HttpStatusCode.OK, scraped.Code);
            Assert.Contains("handoff_scheduling_attempts_total", scraped.Body, StringComparison.Ordinal);
            Assert.Contains("process_working_set_bytes ", scraped.Body, StringComparison.Ordinal);

            // The certificate is the operator's own, self-signed for its pod name and the loopback addresses.
            var certificate = scraped.Certificate!;
            Assert.Equal(("CN=handoff-operator-metrics", "CN=handoff-operator-metrics"), (certificate.Subject, certificate.Issuer));
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains("handoff-7d9f8-abcde", names.EnumerateDnsNames());
            Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());

            // Plain HTTP is not spoken on the metrics port; the probes stay plain HTTP.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => probes.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), Ct));
            Assert.Contains(lines, l => l.Contains("\"EventId\":600", StringComparison.Ordinal) && l.Contains("self-signed", StringComparison.Ordinal));
            Assert.DoesNotContain(cluster.Server.Authorizations.Denied(), d => d.User == cluster.Rbac.User);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_host_serves_a_mounted_certificate_that_verifies_against_the_secrets_authority()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        var reader = await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);
        using var ca = new TestCertificates();
        var dir = Directory.CreateTempSubdirectory("handoff-metrics-secret-");
        try
        {
            var issued = ca.WriteSecret(dir.FullName, "handoff-metrics.handoff-system.svc");
            var port = FreePort();
            await using var op = await OperatorHost.StartAsync(
                new OperatorOptions { MetricsAddress = $"127.0.0.1:{port}", ProbeAddress = "", MetricsCertPath = dir.FullName, LogLevel = "Warning" },
                cluster.OperatorConfig,
                new OperatorHostSettings { ConfigureLogging = logging => logging.AddProvider(new TestLoggerProvider()) },
                Ct);

            // A client trusting only the Secret's ca.crt (as the ServiceMonitor's tlsConfig.ca does).
            var scraped = await ScrapeAsync(port, reader, ca.Issued);
            Assert.Equal(HttpStatusCode.OK, scraped.Code);
            Assert.Equal(issued.Thumbprint, scraped.Certificate!.Thumbprint);
            Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(port, null, ca.Issued)).Code);

            // A client trusting another authority refuses the handshake.
            using var other = new TestCertificates();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => ScrapeAsync(port, reader, other.Issued));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--metrics-secure=false --metrics-cert-path=/etc/tls", "--metrics-cert-path applies only with --metrics-secure=true")]
    [InlineData("--metrics-address=127.0.0.1:9000 --probe-address=127.0.0.1:9000", "--metrics-address and --probe-address must differ when --metrics-secure is true")]
    [InlineData("--metrics-cert-name=", "--metrics-cert-name and --metrics-cert-key must not be empty")]
    public void Secure_metrics_flags_that_cannot_work_are_refused(string args, string expected)
    {
        var ex = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsBinder.Bind(args.Split(' '), _ => null));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        // Plain HTTP may share the probes' address, as before.
        Assert.Equal("127.0.0.1:9000", OperatorOptionsBinder.Bind(["--metrics-secure=false", "--metrics-address=127.0.0.1:9000", "--probe-address=127.0.0.1:9000"], _ => null).MetricsAddress);
    }

    [Fact]
    public async Task A_missing_certificate_stops_the_binary_with_exit_code_1_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("handoff-no-tls-");
        try
        {
            // Any reachable-looking cluster: the certificate is loaded before the first API call.
            var kubeconfig = Path.Combine(dir.FullName, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, $"apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: 'https://127.0.0.1:{FreePort()}'}}}}]\n" +
                "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", Ct);
            var run = await Processes.RunAsync(
                "dotnet", [Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll"), "--kubeconfig", kubeconfig, "--metrics-address=127.0.0.1:0", "--probe-address=", "--metrics-cert-path", dir.FullName],
                TimeSpan.FromSeconds(60), Ct);
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains("error: cannot start the operator: cannot load the metrics certificate " + Path.Combine(dir.FullName, "tls.crt"), run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
