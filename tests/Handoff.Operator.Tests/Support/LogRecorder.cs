using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Handoff.Operator.Tests.Support;

/// <summary>One log line as the operator wrote it.</summary>
public sealed record LoggedLine(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Records every log line at or above <c>minimum</c> (a logger provider for <see cref="OperatorHostSettings.ConfigureLogging"/> or a plain <see cref="ILogger"/>).</summary>
public sealed class LogRecorder(LogLevel minimum = LogLevel.Trace) : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<LoggedLine> _lines = new();

    public IReadOnlyList<LoggedLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Record("", logLevel, eventId, state, exception, formatter);

    public void Dispose()
    {
    }

    private void Record<TState>(string category, LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _lines.Enqueue(new LoggedLine(category, logLevel, eventId, formatter(state, exception), exception));
        }
    }

    private sealed class CategoryLogger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => recorder.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder.Record(category, logLevel, eventId, state, exception, formatter);
    }
}
