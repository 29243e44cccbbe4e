using System.Buffers;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Splits a watch response's body into its lines (one JSON event each) as UTF-8 in one reused, pooled buffer: no string
/// per event. A line handed out is valid until the next read.
/// </summary>
public sealed class WatchLineReader(Stream stream) : IDisposable
{
    private const int InitialSize = 16 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The next non-empty line without its newline; null once the stream has ended.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = _start;
        while (true)
        {
            var newline = _buffer.AsSpan(scanned, _end - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, scanned + newline - _start);
                _start = scanned + newline + 1;
                if (IsBlank(line.Span))
                {
                    scanned = _start;
                    continue;
                }

                return line;
            }

            if (_ended)
            {
                // The last line, if the server closed the stream without a newline after it.
                // (Not `blank ? null : rest`: null converts to an empty ReadOnlyMemory there, a line that is not one.)
                var rest = _buffer.AsMemory(_start, _end - _start);
                _start = _end;
                if (IsBlank(rest.Span))
                {
                    return null;
                }

                return rest;
            }

            scanned = _end;
            MakeRoom(ref scanned);
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _ended = read == 0;
            _end += read;
        }
    }

    /// <summary>Moves the unread bytes to the buffer's start, and doubles it when a line fills it.</summary>
    private void MakeRoom(ref int scanned)
    {
        if (_end < _buffer.Length)
        {
            return;
        }

        var unread = _end - _start;
        var target = unread < _buffer.Length / 2 ? _buffer : ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(_start, unread).CopyTo(target); // a copy within one array is a memmove
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        scanned -= _start;
        _start = 0;
        _end = unread;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _start = _end = 0;
    }
}
