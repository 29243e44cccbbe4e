using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Handoff.Sandbox;
using Handoff.Testing;

namespace Handoff.Chart.Tests;

/// <summary>
/// The Dockerfile cannot be built here (no container engine), so CI checks what it runs: `dotnet publish` of the
/// operator, the published entry point the image's ENTRYPOINT names, and the runtime the base image provides.
/// </summary>
public sealed partial class PublishTests
{
    [Fact]
    public async Task Operator_publishes_and_the_published_binary_starts()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Directory.CreateTempSubdirectory("handoff-publish-");
        try
        {
            // The Dockerfile's own publish flags (ReadyToRun for the machine's architecture), so the two cannot drift.
            var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "Dockerfile"), ct);
            var publish = await Processes.RunAsync(
                "dotnet",
                ["publish", "src/Handoff.Operator/Handoff.Operator.csproj", .. DockerfilePublishFlags(dockerfile), "-o", output.FullName, "--nologo"],
                TimeSpan.FromMinutes(5),
                ct);
            Assert.True(publish.Succeeded, publish.ToString());

            // The Dockerfile's ENTRYPOINT is `dotnet Handoff.Operator.dll`, on the aspnet base image.
            Assert.True(File.Exists(Path.Combine(output.FullName, "Handoff.Operator.dll")));
            // ReadyToRun: the assembly carries precompiled code (a managed-only assembly has no ManagedNativeHeader).
            using (var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(Path.Combine(output.FullName, "Handoff.Operator.dll"))))
            {
                Assert.True(pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0, "Handoff.Operator.dll is not ReadyToRun");
            }

            var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "Handoff.Operator.runtimeconfig.json"), ct))!;
            var frameworks = (runtimeConfig["runtimeOptions"]!["frameworks"] as JsonArray ?? [runtimeConfig["runtimeOptions"]!["framework"]])
                .Select(f => f!["name"]!.GetValue<string>()).ToList();
            Assert.Contains("Microsoft.AspNetCore.App", frameworks);
            Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
            Assert.Contains("ENTRYPOINT [\"dotnet\", \"Handoff.Operator.dll\"]", dockerfile, StringComparison.Ordinal);

            // The published binary runs: a bad flag is reported with the usage and exit code 2, before any cluster access.
            var run = await Processes.RunAsync(
                "dotnet", [Path.Combine(output.FullName, "Handoff.Operator.dll"), "--no-such-flag"], TimeSpan.FromSeconds(60), ct);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("--no-such-flag", run.Stderr, StringComparison.Ordinal);

            // And it becomes ready against the sandbox with the image's environment (ENV of the Dockerfile's runtime
            // stage) and the chart's flag style, serving /healthz, /readyz and /metrics on its own listeners.
            await RunPublishedOperatorAgainstSandboxAsync(Path.Combine(output.FullName, "Handoff.Operator.dll"), DockerfileEnv(dockerfile), ct);
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

    private static async Task RunPublishedOperatorAgainstSandboxAsync(string dll, IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Nodes = [] }, ct);
        var crds = await sandbox.InstallCrdsAsync(RepoPaths.ChartCrds, ct);
        Assert.Equal(3, crds);
        var kubeconfig = sandbox.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"handoff-publish-{Guid.NewGuid():N}.kubeconfig"));
        var (metricsPort, probePort) = (FreePort.Next(), FreePort.Next());
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, $"--kubeconfig={kubeconfig}", "--namespace=", "--scheduler-name=handoff", "--leader-elect=false",
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
                var exited = process.HasExited;
                if (!exited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync(ct);
                Assert.Fail(
                    $"the published operator did not become ready (last /readyz: {ready?.ToString() ?? "no answer"}, "
                    + $"exited by itself: {exited}, exit code {process.ExitCode}):\n{await stdout}{await stderr}");
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
