using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace Handoff.Operator.SecureMetrics;

/// <summary>
/// Authentication and authorization of metrics scrapers delegated to the API server, as controller-runtime's
/// <c>filters.WithAuthenticationAndAuthorization</c> (kubebuilder's scaffold) does: the bearer token is checked with a
/// TokenReview (authentication.k8s.io/v1), then the user it names with a SubjectAccessReview (authorization.k8s.io/v1)
/// for the request's verb (the lower-case method) on its path as a non-resource URL — so
/// <c>nonResourceURLs: ["/metrics"], verbs: ["get"]</c> in a ClusterRole bound to the scraper is what grants access.
/// Answers are cached as that filter caches them: tokens 1 minute, allowed 5 minutes, denied 30 seconds; a failed
/// review (the API server unreachable) is a 500 and is not cached.
/// </summary>
public sealed class MetricsAccess(IKubernetes client, TimeProvider time, ILogger<MetricsAccess> logger)
{
    public static readonly TimeSpan TokenCacheTtl = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan AllowedCacheTtl = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DeniedCacheTtl = TimeSpan.FromSeconds(30);
    private const int MaxCacheEntries = 1024;

    private readonly ConcurrentDictionary<string, (V1UserInfo? User, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Expires)> _decisions = new(StringComparer.Ordinal);

    /// <summary>Decides on a request with the given <c>Authorization</c> header, HTTP method and path.</summary>
    public async Task<MetricsAccessDecision> CheckAsync(string? authorization, string method, string path, CancellationToken cancellationToken)
    {
        var token = BearerToken(authorization);
        if (token is null)
        {
            return Refuse(MetricsAccessDecision.Unauthorized, "no bearer token");
        }

        V1UserInfo? user;
        try
        {
            user = await AuthenticateAsync(token, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.MetricsAuthenticationError(logger, e);
            return new MetricsAccessDecision(StatusCodes.Status500InternalServerError, "Authentication failed");
        }

        if (user is null)
        {
            return Refuse(MetricsAccessDecision.Unauthorized, "the API server did not authenticate the token");
        }

        var verb = method.ToLowerInvariant();
        try
        {
            return await AuthorizeAsync(user, verb, path, cancellationToken)
                ? MetricsAccessDecision.Allowed
                : Refuse(MetricsAccessDecision.Denied(user.Username), $"{user.Username} may not {verb} {path}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.MetricsAuthorizationError(logger, e, user.Username);
            return new MetricsAccessDecision(StatusCodes.Status500InternalServerError, $"Authorization for user {user.Username} failed");
        }
    }

    private MetricsAccessDecision Refuse(MetricsAccessDecision decision, string reason)
    {
        Log.MetricsRequestRefused(logger, decision.StatusCode, reason);
        return decision;
    }

    private async Task<V1UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        // Keyed by a hash: the cache never holds a usable credential.
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.User;
        }

        var review = await client.AuthenticationV1.CreateTokenReviewAsync(
            new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken);
        var user = review.Status?.Authenticated == true && review.Status.User is { Username.Length: > 0 } u ? u : null;
        Remember(_tokens, key, (user, now + TokenCacheTtl));
        return user;
    }

    private async Task<bool> AuthorizeAsync(V1UserInfo user, string verb, string path, CancellationToken cancellationToken)
    {
        var key = string.Join('\n', [user.Username, user.Uid ?? "", string.Join(',', user.Groups ?? []),
            string.Join(';', (user.Extra ?? new Dictionary<string, IList<string>>()).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + string.Join(',', e.Value))),
            verb, path]);
        var now = time.GetUtcNow();
        if (_decisions.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.Allowed;
        }

        var review = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user.Username,
                    Uid = user.Uid,
                    Groups = user.Groups,
                    Extra = user.Extra,
                    NonResourceAttributes = new V1NonResourceAttributes { Path = path, Verb = verb },
                },
            },
            cancellationToken: cancellationToken);
        var allowed = review.Status?.Allowed == true;
        Remember(_decisions, key, (allowed, now + (allowed ? AllowedCacheTtl : DeniedCacheTtl)));
        return allowed;
    }

    private static void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= MaxCacheEntries)
        {
            cache.Clear();
        }

        cache[key] = value;
    }

    /// <summary>The token of <c>Authorization: Bearer TOKEN</c> (scheme case-insensitive); null when there is none.</summary>
    public static string? BearerToken(string? authorization)
    {
        var parts = (authorization ?? "").Trim().Split(' ', 2, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase) ? parts[1] : null;
    }
}
