using Handoff.Testing;

namespace Handoff.Cli.Tests.Commands;

/// <summary>Shell completion: the bash script, run by the real bash, completes through the real binary.</summary>
public sealed class CompletionTests
{
    private static async Task<string> CompleteAsync(string line, params string[] words)
    {
        if (Tools.Find("bash") is not { } bash && !File.Exists(bash = "/bin/bash"))
        {
            Assert.Skip("bash is not installed");
        }

        var dir = Directory.CreateTempSubdirectory("handoff-completion-").FullName;
        try
        {
            HandoffBinary.WriteShim(dir, "handoff");
            var script = string.Join('\n',
                "source <(handoff completion bash)",
                $"COMP_LINE='{line}'; COMP_POINT={line.Length}",
                $"COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}",
                "_handoff_complete",
                "printf '%s\\n' \"${COMPREPLY[@]}\"");
            var result = await Processes.RunAsync(bash, ["-c", script], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken,
                environment: new Dictionary<string, string?> { ["PATH"] = dir + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") });
            Assert.True(result.Succeeded, result.ToString());
            return result.Stdout;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Bash_completes_subcommands()
    {
        Assert.Equal("gantt\ngraph\n", await CompleteAsync("handoff g", "handoff", "g"));
    }

    [Fact]
    public async Task Bash_completes_option_values()
    {
        Assert.Equal("dot\nmermaid\npng\nsvg\ntree\n", await CompleteAsync("handoff graph -o ", "handoff", "graph", "-o", ""));
    }

    [Theory]
    [InlineData("zsh", "compdef _handoff handoff")]
    [InlineData("fish", "complete -c handoff")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName handoff")]
    public async Task Each_shell_gets_a_script_calling_the_suggest_directive(string shell, string hook)
    {
        var script = await HandoffBinary.MustAsync("completion", shell);

        Assert.Contains(hook, script, StringComparison.Ordinal);
        Assert.Contains("[suggest:", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_completes_kubectl_handoff_through_the_completion_script()
    {
        var kubectl = Tools.Kubectl;
        var dir = HandoffBinary.PluginDirectory();
        try
        {
            HandoffBinary.WriteShim(dir, "handoff");
            HandoffBinary.WriteExecutable(dir, "kubectl_complete-handoff", await HandoffBinary.MustAsync("completion", "kubectl"));
            var env = new Dictionary<string, string?> { ["PATH"] = dir + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") };

            var subcommands = await Processes.RunAsync(kubectl, ["__complete", "handoff", "gr"], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken, environment: env);
            var values = await Processes.RunAsync(kubectl, ["__complete", "handoff", "graph", "-o", ""], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken, environment: env);

            Assert.Equal("graph\n:4\n", subcommands.Stdout);
            Assert.Equal("dot\nmermaid\npng\nsvg\ntree\n:4\n", values.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
