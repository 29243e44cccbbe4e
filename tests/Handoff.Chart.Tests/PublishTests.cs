using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Sandbox;
using Handoff.Testing;
using Handoff.Testing.Builders;
using k8s;
using k8s.Models;

namespace Handoff.Chart.Tests;

/// <summary>
/// The Dockerfile cannot be built here (no container engine), so CI checks what it runs: `dotnet publish` of the
/// operator, the published entry point the image's ENTRYPOINT names, and the runtime the base image provides.
/// </summary>
public sealed partial class PublishTests
{
    [Fact]
    public async Task Operator_publishes_as_the_image_builds_it_and_the_native_executable_schedules_and_hands_results_on()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Directory.CreateTempSubdirectory("handoff-publish-");
        try
        {
            // The Dockerfile's own publish flags (Native AOT for the machine's architecture), so the two cannot drift.
            var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "Dockerfile"), ct);
            var flags = DockerfilePublishFlags(dockerfile);
            Assert.Contains("-p:HandoffNativeAot=true", flags);
            var publish = await Processes.RunAsync(
                "dotnet",
                ["publish", "src/Handoff.Operator/Handoff.Operator.csproj", .. flags, "-o", output.FullName, "--nologo"],
                TimeSpan.FromMinutes(15), // the native compiler takes ~5 min on 2 cores
                ct);
            Assert.True(publish.Succeeded, publish.ToString());

            // One native executable: no managed assembly, no runtime to find (the image's base has none). The image
            // holds the executable alone (the Dockerfile's COPY), so it runs here from a folder of its own.
            var image = output.CreateSubdirectory("image");
            var executable = Path.Combine(image.FullName, "Handoff.Operator");
            File.Copy(Path.Combine(output.FullName, "Handoff.Operator"), executable);
            var header = new byte[4];
            await using (var file = File.OpenRead(executable))
            {
                await file.ReadExactlyAsync(header, ct);
            }

            Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], header);
            Assert.Empty(output.GetFiles("*.dll"));
            Assert.Contains("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime", dockerfile, StringComparison.Ordinal);
            Assert.Contains("COPY --from=build /app/Handoff.Operator ./", dockerfile, StringComparison.Ordinal);
            Assert.Contains("ENTRYPOINT [\"/app/Handoff.Operator\"]", dockerfile, StringComparison.Ordinal);

            // It runs: a bad flag is reported with the usage and exit code 2, before any cluster access.
            var run = await Processes.RunAsync(executable, ["--no-such-flag"], TimeSpan.FromSeconds(60), ct);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("--no-such-flag", run.Stderr, StringComparison.Ordinal);

            // And it does its job against the sandbox with the image's environment (ENV of the Dockerfile's runtime
            // stage) and the chart's flag style: leader election, probes, /metrics, placement, statuses, events and
            // the hand-off of a result, then the lease given up on SIGTERM — the paths its JSON and HTTP take.
            await RunPublishedOperatorAgainstSandboxAsync(executable, DockerfileEnv(dockerfile), ct);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public void Dockerfile_copies_every_project_the_operator_references()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        var pending = new Queue<string>(["src/Handoff.Operator/Handoff.Operator.csproj"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            var dir = Path.GetDirectoryName(project)!.Replace('\\', '/');
            Assert.Contains($"COPY {project} {dir}/", dockerfile, StringComparison.Ordinal);
            Assert.Contains($"COPY {dir}/ {dir}/", dockerfile, StringComparison.Ordinal);
            var xml = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, project));
            foreach (var reference in xml.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
            {
                var full = Path.GetFullPath(Path.Combine(RepoPaths.Root, dir, reference.Replace('\\', '/')));
                pending.Enqueue(Path.GetRelativePath(RepoPaths.Root, full).Replace('\\', '/'));
            }
        }

        Assert.Contains("USER 1654", dockerfile, StringComparison.Ordinal);
        var ignore = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
    }

    private static async Task RunPublishedOperatorAgainstSandboxAsync(string executable, IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Nodes = [new SandboxNode("node-1")] }, ct);
        var crds = await sandbox.InstallCrdsAsync(RepoPaths.ChartCrds, ct);
        Assert.Equal(3, crds);
        var kubeconfig = sandbox.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"handoff-publish-{Guid.NewGuid():N}.kubeconfig"));
        var (metricsPort, probePort) = (FreePort.Next(), FreePort.Next());
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            $"--kubeconfig={kubeconfig}", "--namespace=", "--scheduler-name=handoff", "--leader-elect=true", "--lease-name=handoff-publish", "--scheduled-events=true",
            $"--metrics-address=127.0.0.1:{metricsPort}", $"--probe-address=127.0.0.1:{probePort}", "--log-level=Information",
        })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        start.Environment["POD_NAME"] = "handoff-publish-test";
        start.Environment["POD_NAMESPACE"] = "default";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        async Task<string> OutputAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            return $"exit code {process.ExitCode}:\n{await stdout}{await stderr}";
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            HttpStatusCode? ready = null;
            try
            {
                await Wait.UntilAsync(
                    async () =>
                    {
                        try
                        {
                            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{probePort}/readyz"), ct);
                            ready = response.StatusCode;
                        }
                        catch (HttpRequestException)
                        {
                            ready = null; // not listening yet
                        }

                        return ready == HttpStatusCode.OK || process.HasExited;
                    },
                    "the published operator is ready or has exited",
                    TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                // Reported below with the process's output.
            }

            if (ready != HttpStatusCode.OK)
            {
                Assert.Fail($"the published operator did not become ready (last /readyz: {ready?.ToString() ?? "no answer"}), {await OutputAsync()}");
            }

            Assert.Equal("ok", await http.GetStringAsync(new Uri($"http://127.0.0.1:{probePort}/healthz"), ct));

            // /metrics is HTTPS (self-signed) by default, for a token the API server vouches for (the sandbox's administrator).
            using var tls = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
            using var scraper = new HttpClient(tls) { Timeout = TimeSpan.FromSeconds(5) };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://127.0.0.1:{metricsPort}/metrics"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", sandbox.CreateClientConfiguration().AccessToken);
            using var scraped = await scraper.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            Assert.Contains("# TYPE", await scraped.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

            // A node and two functions, the second taking the first's result.
            using var client = sandbox.CreateClient();
            var ns = "publish-" + Guid.NewGuid().ToString("N")[..8];
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct);
            await client.CustomObjects.CreateClusterCustomObjectAsync(
                new HandoffNodeBuilder("node-1").NodeName("node-1").Capacity("cpu", "2").BuildForCreate(), HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: ct);
            foreach (var function in new[] { FunctionReturning("source", "21"), FunctionReturning("consumer", "42", "source") })
            {
                await client.CustomObjects.CreateNamespacedCustomObjectAsync(function, HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, cancellationToken: ct);
            }

            HandoffFunction? consumer = null;
            try
            {
                await Wait.UntilAsync(
                    async () =>
                    {
                        consumer = await client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(
                            HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, "consumer", ct);
                        return consumer.Status?.Phase == FunctionPhases.Succeeded || process.HasExited;
                    },
                    "the consumer function succeeds",
                    TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                // Reported below with the process's output.
            }

            if (consumer?.Status?.Phase != FunctionPhases.Succeeded)
            {
                Assert.Fail($"the consumer did not succeed (status: {KubernetesJson.Serialize(consumer?.Status)}), {await OutputAsync()}");
            }

            var source = await client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(
                HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, "source", ct);
            Assert.Equal(("21", "node-1"), (source.Status.Result, source.Status.Node));
            Assert.Equal("42", consumer.Status.Result);
            Assert.Contains(consumer.Status.Conditions!, c => c.Type == ConditionTypes.Completed && c.Status == ConditionStatus.True);
            var pods = (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct)).Items;
            Assert.Equal(2, pods.Count);
            Assert.All(pods, p => Assert.Equal(("handoff", "node-1"), (p.Spec.SchedulerName, p.Spec.NodeName)));
            var consumerPod = Assert.Single(pods, p => p.Metadata.Labels[HandoffApi.FunctionLabel] == "consumer");
            Assert.Equal("[\"21\"]", consumerPod.Spec.Containers[0].Env.Single(e => e.Name == "HANDOFF_ARGS").Value);
            var events = (await client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: ct)).Items;
            Assert.Contains(events, e => (e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason) == (HandoffApi.FunctionKind, "consumer", "Scheduled"));
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-publish", "default", cancellationToken: ct);
            Assert.StartsWith("handoff-publish-test", lease.Spec.HolderIdentity, StringComparison.Ordinal);

            // SIGTERM, as the kubelet stops a container: a clean exit that gives the lease up for the next leader.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            Assert.True(process.ExitCode == 0, await OutputAsync());
            var leases = await client.CoordinationV1.ListNamespacedLeaseAsync("default", cancellationToken: ct);
            Assert.DoesNotContain(leases.Items, l => l.Metadata.Name == "handoff-publish");
            Assert.DoesNotContain("Unhandled exception", await stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            File.Delete(kubeconfig);
        }
    }

    /// <summary>A function whose pod the sandbox's kubelet runs for 100 ms and ends with <paramref name="result"/> as its termination message.</summary>
    private static HandoffFunction FunctionReturning(string name, string result, params string[] args)
    {
        var function = new HandoffFunctionBuilder(name, "").Cost("cpu", "1").Args(args).BuildForCreate();
        function.Spec.Template.Metadata = new V1ObjectMeta
        {
            Annotations = new Dictionary<string, string>
            {
                [SimulatedKubelet.ResultAnnotation] = result,
                [SimulatedKubelet.DurationAnnotation] = "100ms",
            },
        };
        return function;
    }

    /// <summary>
    /// The flags of the Dockerfile's <c>dotnet publish</c> (its continued RUN line), without those that only make sense
    /// in the image build: <c>--no-restore</c> (restored by the RUN before) and <c>-o</c> (the test picks its folder).
    /// </summary>
    internal static IReadOnlyList<string> DockerfilePublishFlags(string dockerfile)
    {
        var run = PublishRun().Match(dockerfile);
        Assert.True(run.Success, "the Dockerfile has no `RUN dotnet publish src/Handoff.Operator/Handoff.Operator.csproj`");
        var words = run.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var flags = new List<string>();
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i] is "-o" or "--output")
            {
                i++;
            }
            else if (words[i] != "--no-restore")
            {
                flags.Add(words[i]);
            }
        }

        Assert.Contains("--use-current-runtime", flags);
        return flags;
    }

    /// <summary>The ENV of the Dockerfile's last stage (KEY=VALUE pairs, quotes removed).</summary>
    internal static IReadOnlyDictionary<string, string> DockerfileEnv(string dockerfile)
    {
        var runtime = dockerfile[dockerfile.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match block in EnvBlock().Matches(runtime))
        {
            foreach (Match pair in EnvPair().Matches(block.Groups[1].Value))
            {
                env[pair.Groups["k"].Value] = pair.Groups["v"].Value.Trim('"');
            }
        }

        Assert.NotEmpty(env);
        return env;
    }

    [GeneratedRegex(@"^RUN dotnet publish src/Handoff\.Operator/Handoff\.Operator\.csproj((?:.*\\\n)*.*)$", RegexOptions.Multiline)]
    private static partial Regex PublishRun();

    [GeneratedRegex(@"^ENV\s+((?:.*\\\n)*.*)$", RegexOptions.Multiline)]
    private static partial Regex EnvBlock();

    [GeneratedRegex(@"(?<k>[A-Za-z_][A-Za-z0-9_]*)=(?<v>""[^""]*""|[^\s\\]*)")]
    private static partial Regex EnvPair();
}
