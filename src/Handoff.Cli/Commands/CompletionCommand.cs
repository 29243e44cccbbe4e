using System.CommandLine;

namespace Handoff.Cli.Commands;

/// <summary>
/// <c>handoff completion SHELL</c>: a script that hooks the shell's completion to System.CommandLine's own
/// completions (the <c>[suggest:POSITION]</c> directive every command answers), so subcommands, flags and their values
/// (and, for why and graph, function names from the cluster) complete.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh, fish, pwsh, or kubectl (the kubectl_complete-handoff script for kubectl handoff)." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "pwsh", "kubectl");
        var command = new Command("completion", "Print a shell completion script, e.g. source <(handoff completion bash); for kubectl handoff, save handoff completion kubectl as an executable kubectl_complete-handoff on PATH (docs/cli.md).")
        {
            shell,
        };
        command.SetAction(async (parseResult, _) =>
        {
            await parseResult.InvocationConfiguration.Output.WriteAsync(Script(parseResult.GetValue(shell)!));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The hidden <c>__complete WORDS…</c> command kubectl's plugin completion calls (through a
    /// <c>kubectl_complete-handoff</c> script, kubectl 1.26+): Cobra's protocol — the completions of the last word, one
    /// per line, then <c>:4</c> (no file completion).
    /// </summary>
    public static Command CreateKubectlProtocol(Func<RootCommand> root)
    {
        var words = new Argument<string[]>("WORDS") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("__complete", "Completions in kubectl's plugin protocol (for kubectl_complete-handoff).") { words };
        command.Hidden = true;
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parseResult, _) =>
        {
            var line = string.Join(' ', (parseResult.GetValue(words) ?? []).Concat(parseResult.UnmatchedTokens));
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var item in root().Parse(line).GetCompletions(line.Length))
            {
                await output.WriteLineAsync(item.Label);
            }

            await output.WriteLineAsync(":4");
            return 0;
        });
        return command;
    }

    /// <summary>The script kubectl runs to complete <c>kubectl handoff …</c>.</summary>
    public const string KubectlScript = "#!/bin/sh\n# kubectl handoff completion (kubectl 1.26+): put this on PATH as kubectl_complete-handoff\nexec handoff __complete \"$@\"\n";

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # handoff completion for bash: source <(handoff completion bash)
            _handoff_complete() {
              local IFS=$'\n'
              local candidates
              candidates=$(handoff "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
              COMPREPLY=( $(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}") )
            }
            complete -o default -F _handoff_complete handoff

            """,
        "zsh" => """
            #compdef handoff
            # handoff completion for zsh: source <(handoff completion zsh)
            _handoff() {
              local -a candidates
              candidates=("${(@f)$(handoff "[suggest:${#${BUFFER[1,CURSOR]}}]" "${BUFFER}" 2>/dev/null)}")
              compadd -a candidates
            }
            compdef _handoff handoff

            """,
        "kubectl" => KubectlScript,
        "fish" => """
            # handoff completion for fish: handoff completion fish | source
            complete -c handoff -f -a '(set -l line (commandline -cp); handoff "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)'

            """,
        _ => """
            # handoff completion for PowerShell: handoff completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName handoff -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                handoff "[suggest:$cursorPosition]" "$commandAst" 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
    };
}
