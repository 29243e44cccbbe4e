using System.Text;
using System.Text.Json;
using CsCheck;
using Handoff.Operator.Infrastructure;
using k8s;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>
/// A watch response read as the informers read it: split into lines in one reused UTF-8 buffer whatever the chunks the
/// network hands over, and each line's type and object found without decoding the object.
/// </summary>
public sealed class WatchStreamTests
{
    /// <summary>A stream that hands its bytes over in the given chunk sizes (cycled), as a network does.</summary>
    private sealed class ChunkedStream(byte[] bytes, int[] chunks) : Stream
    {
        private int _position;
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunks[_reads++ % chunks.Length]), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static async Task<List<string>> LinesAsync(string body, int[] chunks)
    {
        using var reader = new WatchLineReader(new ChunkedStream(Encoding.UTF8.GetBytes(body), chunks));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            lines.Add(Encoding.UTF8.GetString(line.Span));
        }

        return lines;
    }

    [Fact]
    public void Every_non_blank_line_arrives_whole_in_order_whatever_the_chunks_and_however_long()
    {
        // Lines from empty to several times the reader's first buffer (16 KiB), with multi-byte characters.
        var line = Gen.OneOf(Gen.Const(""), Gen.Const("  "), Gen.String[Gen.Char["aé{}\":x"], 1, 50], Gen.Int[1, 70_000].Select(n => new string('x', n) + "é"));
        Gen.Select(line.Array[0, 12], Gen.Int[1, 9000].Array[1, 5], Gen.Bool).Sample((lines, chunks, lastNewline) =>
        {
            var body = string.Join('\n', lines) + (lastNewline ? "\n" : "");
            var read = LinesAsync(body, chunks).GetAwaiter().GetResult();
            Assert.Equal(lines.Where(l => l.Trim().Length > 0), read);
        }, iter: 300);
    }

    [Fact]
    public async Task A_stream_that_ends_after_its_last_newline_gives_no_empty_line_and_stays_ended()
    {
        using var reader = new WatchLineReader(new MemoryStream("{\"a\":1}\n"u8.ToArray()));
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await reader.ReadLineAsync(ct))!.Value.Span));
        Assert.Null(await reader.ReadLineAsync(ct));
        Assert.Null(await reader.ReadLineAsync(ct));
    }

    [Fact]
    public async Task Crlf_and_blank_keepalive_lines_are_not_events()
    {
        var read = await LinesAsync("{\"a\":1}\r\n\n\r\n{\"b\":2}\n", [3]);
        Assert.Equal(["{\"a\":1}\r", "{\"b\":2}"], read);
    }

    [Fact]
    public void A_line_gives_its_type_and_where_its_object_lies_whatever_the_order_of_its_fields()
    {
        var line = "{\"object\":{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}},\"type\":\"MODIFIED\"}"u8;
        var (type, obj) = WatchEventLine.Read(line);
        Assert.Equal(WatchEventType.Modified, type);
        Assert.Equal("{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}", Encoding.UTF8.GetString(line[obj]));

        Assert.Equal(WatchEventType.Bookmark, WatchEventLine.Read("{\"type\":\"BOOKMARK\",\"object\":{}}"u8).Type);
        Assert.Equal(WatchEventType.Error, WatchEventLine.Read("{\"type\":\"ERROR\",\"object\":{\"code\":410}}"u8).Type);
        Assert.Equal(WatchEventType.Added, WatchEventLine.Read("{\"type\":\"ADDED\",\"extra\":[1,{\"x\":2}],\"object\":{}}"u8).Type);
        Assert.Equal(WatchEventType.Deleted, WatchEventLine.Read(" {\"type\":\"DELETED\",\"object\":{}}\r"u8).Type);
    }

    [Theory]
    [InlineData("{\"type\":\"RENAMED\",\"object\":{}}")]
    [InlineData("{\"type\":\"ADDED\"}")]
    [InlineData("{\"object\":{}}")]
    [InlineData("[1]")]
    [InlineData("{\"type\":\"ADDED\",\"object\":{")]
    public void A_line_that_is_no_watch_event_does_not_read(string line) =>
        Assert.ThrowsAny<JsonException>(() => WatchEventLine.Read(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void A_query_escapes_its_values_and_names_only_what_is_set()
    {
        Assert.Equal("?allowWatchBookmarks=true&resourceVersion=42&timeoutSeconds=30&watch=true", new ListRequest(Watch: true, "42", 30).Query());
        Assert.Equal("?continue=a%2Bb%3D%26c&limit=500", new ListRequest(Watch: false, Limit: 500, Continue: "a+b=&c").Query());
        Assert.Equal("", new ListRequest(Watch: false).Query());
    }
}
