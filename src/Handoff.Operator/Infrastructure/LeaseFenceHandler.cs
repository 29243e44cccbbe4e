namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Checks the lease fence immediately before a write leaves the process, not only before the caller builds it: a
/// replica stopped (SIGSTOP, a GC pause, a frozen VM) between the caller's check and the send would otherwise send
/// the write when it is continued, after a standby may have taken the lease (found by the chaos suite, see
/// docs/reliability.md). The Lease itself (the elector's renewals) and the reviews the metrics endpoint asks for are
/// not Handoff's writes and pass. What remains is the time between this check and the bytes on the wire, and a
/// request already in flight — client-go's leader election has the same limit.
/// </summary>
public sealed class LeaseFenceHandler(Func<ILeaseFence> fence) : DelegatingHandler
{
    private static readonly string[] Unfenced = ["/apis/coordination.k8s.io/", "/apis/authentication.k8s.io/", "/apis/authorization.k8s.io/"];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsWrite(request.Method) && !IsUnfenced(request.RequestUri))
        {
            fence().ThrowIfStale();
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static bool IsWrite(HttpMethod method) =>
        method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch || method == HttpMethod.Delete;

    // Read from the URI's own text up to its query (its AbsolutePath is a new string each time it is asked, and this
    // runs for every write the operator makes: three a function).
    private static bool IsUnfenced(Uri? uri)
    {
        if (uri is null)
        {
            return false;
        }

        var text = uri.OriginalString.AsSpan();
        if (text.IndexOf('?') is var query and >= 0)
        {
            text = text[..query];
        }

        foreach (var prefix in Unfenced)
        {
            if (text.Contains(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
