using Handoff.Core.Lifecycle;

namespace Handoff.Cli.Rendering;

/// <summary>One colour per phase, the same in the terminal (Spectre colour names) and in pictures (hex).</summary>
internal static class PhaseStyle
{
    /// <summary>The colour of a phase that is not known (no status yet, or a name no phase has).</summary>
    public const string UnknownHex = "#b0b0b0";

    public static string Hex(FunctionPhase? phase) => phase switch
    {
        FunctionPhase.Waiting => "#9e9e9e",
        FunctionPhase.Pending => "#e0a800",
        FunctionPhase.Scheduled => "#5b8def",
        FunctionPhase.Running => "#1e88e5",
        FunctionPhase.Succeeded => "#2e9d4f",
        FunctionPhase.Failed => "#d64541",
        _ => UnknownHex,
    };

    /// <summary>The Spectre.Console markup colour of a phase.</summary>
    public static string Markup(FunctionPhase? phase) => phase switch
    {
        FunctionPhase.Waiting => "grey",
        FunctionPhase.Pending => "yellow",
        FunctionPhase.Scheduled => "blue",
        FunctionPhase.Running => "deepskyblue1",
        FunctionPhase.Succeeded => "green",
        FunctionPhase.Failed => "red",
        _ => "grey",
    };

    /// <summary><c>[green]Succeeded[/]</c>: a phase name in its colour (escaped).</summary>
    public static string Colored(string? phase) =>
        $"[{Markup(FunctionPhases.Parse(phase))}]{Spectre.Console.Markup.Escape(string.IsNullOrEmpty(phase) ? "-" : phase)}[/]";
}
