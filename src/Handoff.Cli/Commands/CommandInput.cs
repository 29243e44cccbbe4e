namespace Handoff.Cli.Commands;

/// <summary>
/// Standard input for <c>-f -</c>. System.CommandLine's invocation configuration has writers but no reader, so tests
/// that run a command in-process set one here (for the duration of a call, per async flow).
/// </summary>
internal static class CommandInput
{
    private static readonly AsyncLocal<TextReader?> Override = new();

    public static TextReader StandardInput => Override.Value ?? Console.In;

    /// <summary>Makes <see cref="StandardInput"/> read <paramref name="reader"/> in this async flow until disposed.</summary>
    public static IDisposable Use(TextReader reader)
    {
        var previous = Override.Value;
        Override.Value = reader;
        return new Restore(previous);
    }

    private sealed class Restore(TextReader? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }
}
