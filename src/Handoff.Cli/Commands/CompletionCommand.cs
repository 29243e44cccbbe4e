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
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh, fish or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "pwsh");
        var command = new Command("completion", "Print a shell completion script. bash: source <(handoff completion bash); zsh: source <(handoff completion zsh); fish: handoff completion fish | source; pwsh: handoff completion pwsh | Out-String | Invoke-Expression.")
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
