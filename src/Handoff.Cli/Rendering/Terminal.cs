using System.Text;
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
            Out = new AnsiConsoleOutput(interactive ? output : new TrimmingWriter(output)),
        });
        if (!interactive)
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }

    /// <summary>Drops the spaces Spectre pads a table's last column with, line by line (plain output is read by scripts and diffs).</summary>
    private sealed class TrimmingWriter(TextWriter inner) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                inner.Write(_line.ToString().TrimEnd(' ') + "\n");
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }

        public override void Flush()
        {
            inner.Write(_line.ToString());
            _line.Clear();
            inner.Flush();
        }
    }
}
