using Handoff.Cli.Tests.Sandbox;
using Handoff.Sandbox;
using Handoff.Testing;

namespace Handoff.Cli.Tests.Commands;

/// <summary>
/// The .NET tool: <c>dotnet pack</c> of the CLI, <c>dotnet tool install</c> of the package into a temporary tool path,
/// the installed <c>handoff</c> run as a user runs it (also outside the repository), and <c>kubectl handoff</c> through
/// the documented link, with the real kubectl.
/// </summary>
public sealed class PackageTests
{
    /// <summary>The configuration this test was built in: the CLI beside it was built the same way.</summary>
    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    [Fact]
    public async Task The_packed_tool_installs_runs_and_works_as_a_kubectl_plugin()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("handoff-tool-").FullName;
        try
        {
            var feed = Path.Combine(work, "feed");
            var toolPath = Path.Combine(work, "tools");
            var pack = await Processes.RunAsync("dotnet", ["pack", Path.Combine(RepoPaths.Root, "src", "Handoff.Cli"), "-c", Configuration, "--no-build", "-o", feed], TimeSpan.FromMinutes(5), ct);
            Assert.True(pack.Succeeded, pack.ToString());
            Assert.Single(Directory.GetFiles(feed, "handoff.*.nupkg"));

            // Only the local feed: the install must need nothing else.
            var config = Path.Combine(work, "nuget.config");
            await File.WriteAllTextAsync(config, $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>", ct);
            var install = await Processes.RunAsync("dotnet", ["tool", "install", "--tool-path", toolPath, "handoff", "--add-source", feed, "--configfile", config], TimeSpan.FromMinutes(3), ct);
            Assert.True(install.Succeeded, install.ToString());
            Assert.Contains("Tool 'handoff' (version '0.1.0') was successfully installed.", install.Stdout, StringComparison.Ordinal);
            var handoff = Path.Combine(toolPath, "handoff");

            var version = await Processes.RunAsync(handoff, ["--version"], TimeSpan.FromSeconds(60), ct);
            Assert.True(version.Succeeded, version.ToString());
            Assert.StartsWith("0.1.0", version.Stdout, StringComparison.Ordinal);

            // Outside the repository: plan reads files, and sandbox installs the CRDs the tool carries.
            var elsewhere = Directory.CreateDirectory(Path.Combine(work, "elsewhere")).FullName;
            File.Copy(Path.Combine(RepoPaths.Examples, "dag", "dag.yaml"), Path.Combine(elsewhere, "dag.yaml"));
            var plan = await Processes.RunAsync(handoff, ["plan", "-f", "dag.yaml"], TimeSpan.FromSeconds(60), ct, workingDirectory: elsewhere);
            Assert.True(plan.Succeeded, plan.ToString());
            Assert.Contains("makespan: 4s", plan.Stdout, StringComparison.Ordinal);
            var sandbox = await Processes.RunAsync(handoff, ["sandbox", "--apply", "dag.yaml", "--until-done", "--pod-duration", "50ms", "--kubeconfig", "kc"], TimeSpan.FromMinutes(2), ct, workingDirectory: elsewhere);
            Assert.True(sandbox.Succeeded, sandbox.ToString());
            Assert.Contains("all 4 functions Succeeded", sandbox.Stdout, StringComparison.Ordinal);

            // kubectl-handoff: the documented link beside the tool's command.
            var plugin = Path.Combine(toolPath, "kubectl-handoff");
            File.CreateSymbolicLink(plugin, handoff);
            var env = new Dictionary<string, string?> { ["PATH"] = toolPath + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"), ["KUBECONFIG"] = null };
            var list = await Processes.RunAsync(Tools.Kubectl, ["plugin", "list"], TimeSpan.FromSeconds(60), ct, environment: env);
            Assert.Contains(plugin, list.Stdout, StringComparison.Ordinal);

            await using var run = SandboxRun.Start("--pod-duration", "50ms", "--apply", Path.Combine(RepoPaths.Examples, "dag"));
            await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));
            var top = await Processes.RunAsync(Tools.Kubectl, ["handoff", "top", "-A", "--kubeconfig", run.KubeconfigPath], TimeSpan.FromSeconds(60), ct, environment: env);
            Assert.True(top.Succeeded, top.ToString());
            Assert.Matches(@"(?m)^dag-worker-1\s+yes\s", top.Stdout);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
