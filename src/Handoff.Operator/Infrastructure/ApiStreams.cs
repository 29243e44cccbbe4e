using System.Net;
using k8s;
using k8s.Autorest;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Sends a GET through a KubernetesClient's own pipeline (its HttpClient and handlers, credentials, TLS server name and
/// HTTP/2 setting, as its generated calls do) and hands the response over unread, so the informers decode lists and
/// watch events from the UTF-8 bytes as they arrive (<see cref="KubernetesWatchSource{T, TList}"/>). The client's own
/// watch reads each event into a string and decodes it twice (once to learn its type); at 5,000 Nodes posting their
/// status every 5 minutes that was most of what an idle operator allocated. It wraps any client (the tests' own too)
/// rather than deriving one.
/// </summary>
public sealed class ApiStreams(Kubernetes client, KubernetesClientConfiguration config)
{
    /// <summary>
    /// Sends a GET of <paramref name="relativeUri"/> (relative to the client's base URI) and returns once the response's
    /// headers are in; the caller reads and disposes it. A status other than success throws
    /// <see cref="HttpOperationException"/> carrying the server's answer, as the client's calls do.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(string relativeUri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, relativeUri));
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
            var content = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}', response body {content}")
            {
                Request = new HttpRequestMessageWrapper(request, ""),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
    }
}
