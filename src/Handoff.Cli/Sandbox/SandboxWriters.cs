using System.Text;
using Handoff.Sandbox;
using Microsoft.Extensions.Logging;

namespace Handoff.Cli.Sandbox;

/// <summary>Forwards to a writer and completes <see cref="Ready"/> once the line <c>sandbox ready</c> was written.</summary>
internal sealed class ReadySignalWriter(TextWriter inner) : TextWriter
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => inner.Write(value);

    public override void Write(string? value) => inner.Write(value);

    public override void WriteLine(string? value)
    {
        inner.WriteLine(value);
        Check(value);
    }

    public override async Task WriteLineAsync(string? value)
    {
        await inner.WriteLineAsync(value);
        Check(value);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    private void Check(string? line)
    {
        if (line == SandboxHost.ReadyLine)
        {
            _ready.TrySetResult();
        }
    }
}

/// <summary>Writes the in-process operator's log lines (<c>operator: warn: message</c>) to a writer (stderr).</summary>
internal sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new WriterLogger(writer);

    public void Dispose()
    {
    }

    private sealed class WriterLogger(TextWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "error",
                _ => "crit",
            };
            writer.WriteLine($"operator: {level}: {formatter(state, exception)}{(exception is null ? "" : " (" + exception.Message + ")")}");
        }
    }
}
