using Handoff.Testing;

namespace Handoff.Cli.Tests.Commands;

/// <summary>
/// The real <c>handoff</c> program, as a user runs it: the apphost built beside the test (or <c>dotnet handoff.dll</c>),
/// a separate process with its own standard input, output and exit code.
/// </summary>
internal static class HandoffBinary
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "handoff.dll");

    public static string? AppHost => File.Exists(Path.Combine(AppContext.BaseDirectory, "handoff")) ? Path.Combine(AppContext.BaseDirectory, "handoff") : null;

    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var (file, prefix) = AppHost is { } host ? (host, Array.Empty<string>()) : ("dotnet", new[] { Dll });
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["KUBECONFIG"] = null, ["NO_COLOR"] = "1" };
        return Processes.RunAsync(file, [.. prefix, .. args], TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken, stdin, env);
    }

    /// <summary>Runs it and fails the test (with its output) unless it exits 0; returns standard output.</summary>
    public static async Task<string> MustAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.Succeeded, result.ToString());
        return result.Stdout;
    }

    /// <summary>
    /// A directory holding <c>kubectl-handoff</c>, a shim running this program, as the documented install makes it
    /// (docs/cli.md): put it on PATH and <c>kubectl handoff</c> runs it.
    /// </summary>
    public static string PluginDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("kubectl-plugin-").FullName;
        WriteShim(dir, "kubectl-handoff");
        return dir;
    }

    /// <summary>An executable script <paramref name="name"/> in <paramref name="directory"/> that runs this program.</summary>
    public static void WriteShim(string directory, string name) =>
        WriteExecutable(directory, name, AppHost is { } host ? $"#!/bin/sh\nexec \"{host}\" \"$@\"\n" : $"#!/bin/sh\nexec dotnet \"{Dll}\" \"$@\"\n");

    /// <summary>Writes an executable file (a script).</summary>
    public static void WriteExecutable(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
    }

    /// <summary>Runs the real kubectl with <paramref name="pluginDirectory"/> first on PATH: <c>kubectl handoff ARGS</c>.</summary>
    public static Task<ProcessResult> KubectlPluginAsync(string pluginDirectory, IEnumerable<string> args)
    {
        var path = pluginDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        return Processes.RunAsync(Tools.Kubectl, ["handoff", .. args], TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken,
            environment: new Dictionary<string, string?> { ["PATH"] = path, ["KUBECONFIG"] = null, ["NO_COLOR"] = "1" });
    }
}
