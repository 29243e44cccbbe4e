using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using k8s;
using k8s.Autorest;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Sends requests through a KubernetesClient's own pipeline (its HttpClient and handlers, credentials, TLS server name and
/// HTTP/2 setting, as its generated calls do) and hands the response over unread, so the informers decode lists and
/// watch events from the UTF-8 bytes as they arrive (<see cref="KubernetesWatchSource{T, TList}"/>). The client's own
/// watch reads each event into a string and decodes it twice (once to learn its type); at 5,000 Nodes posting their
/// status every 5 minutes that was most of what an idle operator allocated. The writes made for every function (its
/// pod created, its status patched) decode their answers from the bytes too (<see cref="SendObjectAsync{TBody, T}"/>),
/// and send their bodies as UTF-8 from pooled buffers. It wraps any
/// client (the tests' own too) rather than deriving one.
/// </summary>
public sealed class ApiStreams(Kubernetes client, KubernetesClientConfiguration config)
{
    private const string JsonMediaType = "application/json";

    // An answer's buffer starts at its announced length, up to this (it grows past it as the body comes).
    private const int MaxInitialAnswerBuffer = 1 << 20;

    /// <summary>
    /// Sends a GET of <paramref name="relativeUri"/> (relative to the client's base URI) and returns once the response's
    /// headers are in; the caller reads and disposes it. A status other than success throws
    /// <see cref="HttpOperationException"/> carrying the server's answer, as the client's calls do.
    /// </summary>
    public Task<HttpResponseMessage> GetAsync(string relativeUri, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, relativeUri, null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="method"/> to <paramref name="relativeUri"/> with <paramref name="content"/> (a write: its
    /// answer is the object as stored, decoded by the caller for its cache), as <see cref="GetAsync"/> does.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string relativeUri, HttpContent? content, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(client.BaseUri, relativeUri)) { Content = content };
        if (!config.DisableHttp2)
        {
            request.Version = HttpVersion.Version20;
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(config.TlsServerName))
        {
            request.Headers.Host = config.TlsServerName;
        }

        var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}', response body {answer}")
            {
                Request = new HttpRequestMessageWrapper(request, ""),
                Response = new HttpResponseMessageWrapper(response, answer),
            };
        }
    }

    /// <summary>
    /// Sends <paramref name="body"/> written as JSON by the client's own serializer (as its generated calls write it, but
    /// as UTF-8 into a pooled buffer, not a string) and decodes the answer from its bytes with <paramref name="json"/>.
    /// </summary>
    public async Task<T> SendObjectAsync<TBody, T>(
        HttpMethod method, string relativeUri, TBody body, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        using var utf8 = Encode(body);
        return await SendUtf8Async<T>(method, relativeUri, utf8.WrittenMemory, JsonMediaType, json, cancellationToken);
    }

    /// <summary>Sends <paramref name="body"/> as <see cref="SendObjectAsync{TBody, T}"/> does, for a write whose answer is not used (a Binding's).</summary>
    public async Task SendObjectAsync<TBody>(HttpMethod method, string relativeUri, TBody body, CancellationToken cancellationToken)
    {
        using var utf8 = Encode(body);
        using var content = Content(utf8.WrittenMemory, JsonMediaType);
        using var response = await SendAsync(method, relativeUri, content, cancellationToken);
        using var answer = await ReadAnswerAsync(response, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="body"/> (UTF-8 JSON of <paramref name="mediaType"/>) with <paramref name="method"/> and decodes
    /// the answer from its bytes with <paramref name="json"/> (the client's own calls read it into a string first, and a
    /// custom object's into a JSON element, then decode it).
    /// </summary>
    public async Task<T> SendUtf8Async<T>(
        HttpMethod method, string relativeUri, ReadOnlyMemory<byte> body, string mediaType, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        using var content = Content(body, mediaType);
        using var response = await SendAsync(method, relativeUri, content, cancellationToken);
        // Read whole into a pooled buffer first (one object, a few KB), then decoded synchronously: DeserializeAsync grew
        // the Native AOT image by 3.6 MB, and a synchronous read of the network stream would hold a pool thread while the
        // body comes. (The content's own buffering made a new array, regrown as it filled, for every answer.)
        using var answer = await ReadAnswerAsync(response, cancellationToken);
        return JsonSerializer.Deserialize<T>(answer.WrittenSpan, json) ?? throw new JsonException($"{method} {relativeUri} answered null");
    }

    private static ArrayPoolBufferWriter<byte> Encode<TBody>(TBody body)
    {
        var utf8 = new ArrayPoolBufferWriter<byte>(4096);
        try
        {
            using var writer = new Utf8JsonWriter(utf8);
            JsonSerializer.Serialize(writer, body, KubernetesJsonOptions.Value);
            return utf8;
        }
        catch
        {
            utf8.Dispose();
            throw;
        }
    }

    private static ReadOnlyMemoryContent Content(ReadOnlyMemory<byte> body, string mediaType)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }

    private static async Task<ArrayPoolBufferWriter<byte>> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength is { } n and > 0 ? (int)Math.Min(n, MaxInitialAnswerBuffer) : 4096;
        var answer = new ArrayPoolBufferWriter<byte>(length + 1);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            int read;
            while ((read = await stream.ReadAsync(answer.GetMemory(1024), cancellationToken)) > 0)
            {
                answer.Advance(read);
            }

            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }
}
