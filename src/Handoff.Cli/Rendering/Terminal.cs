using Spectre.Console;

namespace Handoff.Cli.Rendering;

/// <summary>
/// Spectre.Console consoles over the command's writers: colour and the terminal's width when the output is a
/// terminal (and <c>NO_COLOR</c> is unset, <c>TERM</c> is not <c>dumb</c>); plain text, wide enough never to wrap a
/// row, when it is a pipe, a file or a test's writer.
/// </summary>
internal static class Terminal
{
    /// <summary>The width of plain output: rows are never wrapped for a reader or a script.</summary>
    public const int PlainWidth = 240;

    public static bool IsInteractive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected &&
        Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    public static IAnsiConsole Create(TextWriter output)
    {
        var interactive = IsInteractive(output);
        var color = interactive && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        if (!interactive)
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }
}
