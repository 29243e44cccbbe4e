using System.Buffers;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// A response body read whole into a pooled buffer, to be decoded synchronously from its UTF-8. Not
/// <c>JsonSerializer.DeserializeAsync</c>: under Native AOT it makes the compiler build the async decode machinery
/// (<c>ValueTask</c>s, builders, awaiters) for every one of KubernetesClient's thousands of model types, 8 MB more
/// image, most of it touched at start.
/// </summary>
public sealed class PooledBody : IDisposable
{
    private const int InitialSize = 64 * 1024;

    private byte[] _buffer;
    private int _length;

    private PooledBody(byte[] buffer) => _buffer = buffer;

    /// <summary>The body's bytes; valid until disposed.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public static async Task<PooledBody> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var body = new PooledBody(ArrayPool<byte>.Shared.Rent(InitialSize));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(body._buffer.AsMemory(body._length), cancellationToken)) > 0)
            {
                body._length += read;
                if (body._length == body._buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(body._buffer.Length * 2);
                    body._buffer.AsSpan(0, body._length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(body._buffer);
                    body._buffer = larger;
                }
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}
