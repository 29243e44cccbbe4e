namespace Handoff.Operator.SecureMetrics;

/// <summary>What the metrics endpoint answers a request: 200 (served), 401, 403 or 500, and the text of a refusal.</summary>
public sealed record MetricsAccessDecision(int StatusCode, string Message)
{
    public static MetricsAccessDecision Allowed { get; } = new(StatusCodes.Status200OK, "");

    /// <summary>No bearer token, or one the API server does not authenticate.</summary>
    public static MetricsAccessDecision Unauthorized { get; } = new(StatusCodes.Status401Unauthorized, "Unauthorized");

    public bool IsAllowed => StatusCode == StatusCodes.Status200OK;

    /// <summary>Authenticated, but the API server does not allow the user to get the path.</summary>
    public static MetricsAccessDecision Denied(string user) => new(StatusCodes.Status403Forbidden, $"Authorization denied for user {user}");
}
