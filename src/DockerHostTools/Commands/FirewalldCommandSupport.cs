using System.Management.Automation;
using DockerHostTools.Core.Firewalld;

namespace DockerHostTools.Commands;

/// <summary>Error ids and mappings shared by the firewalld commands.</summary>
internal static class FirewalldCommandSupport
{
    public const string InvalidPort = "InvalidPort";
    public const string InvalidProtocol = "InvalidProtocol";
    public const string InvalidZone = "InvalidZone";
    public const string ConflictingProtocol = "ConflictingProtocol";
    public const string FirewalldNotRunning = "FirewalldNotRunning";
    public const string FirewallCmdFailed = "FirewallCmdFailed";

    /// <summary>An ErrorRecord for the firewalld core's own exceptions; null for anything else.</summary>
    public static ErrorRecord? ToFirewalldError(Exception ex, object? target) => ex switch
    {
        FirewalldInputException { Error: FirewalldInputError.InvalidPort } e => new ErrorRecord(e, InvalidPort, ErrorCategory.InvalidArgument, target ?? e.Value),
        FirewalldInputException { Error: FirewalldInputError.InvalidProtocol } e => new ErrorRecord(e, InvalidProtocol, ErrorCategory.InvalidArgument, target ?? e.Value),
        FirewalldInputException { Error: FirewalldInputError.ConflictingProtocol } e => new ErrorRecord(e, ConflictingProtocol, ErrorCategory.InvalidArgument, target ?? e.Value),
        FirewalldInputException e => new ErrorRecord(e, InvalidZone, ErrorCategory.ObjectNotFound, e.Value),
        FirewalldNotRunningException e => new ErrorRecord(e, FirewalldNotRunning, ErrorCategory.ResourceUnavailable, e.State.ToString()),
        FirewallCmdException { Code: "INVALID_ZONE" } e => new ErrorRecord(e, InvalidZone, ErrorCategory.ObjectNotFound, target),
        FirewallCmdException { Code: "INVALID_PORT" } e => new ErrorRecord(e, InvalidPort, ErrorCategory.InvalidArgument, target),
        FirewallCmdException { Code: "INVALID_PROTOCOL" } e => new ErrorRecord(e, InvalidProtocol, ErrorCategory.InvalidArgument, target),
        FirewallCmdException { Code: "NOT_AUTHORIZED" } e => new ErrorRecord(e, "NotRoot", ErrorCategory.PermissionDenied, target),
        FirewallCmdException { Result.ExitCode: FirewallCmdParser.ExitNotAuthorized } e => new ErrorRecord(e, "NotRoot", ErrorCategory.PermissionDenied, target),
        FirewallCmdException { Result.ExitCode: FirewallCmdParser.ExitNotRunning } e => new ErrorRecord(e, FirewalldNotRunning, ErrorCategory.ResourceUnavailable, target),
        FirewallCmdException e => new ErrorRecord(e, FirewallCmdFailed, ErrorCategory.InvalidResult, target),
        _ => null,
    };

    /// <summary>The error for a zone name firewalld does not have (INVALID_ZONE): InvalidZone, ObjectNotFound, the name as the target.</summary>
    public static ErrorRecord NoSuchZone(string name, IEnumerable<FirewalldZone> zones) =>
        ToFirewalldError(new FirewalldInputException(FirewalldInputError.InvalidZone, name,
            $"firewalld has no zone '{name}' (INVALID_ZONE). Zones: {string.Join(", ", zones.Select(z => z.Name).Distinct())}."), name)!;

    /// <summary>Names that match a wildcard pattern (or equal it).</summary>
    public static bool Matches(string name, string pattern) =>
        WildcardPattern.ContainsWildcardCharacters(pattern)
            ? new WildcardPattern(pattern, WildcardOptions.IgnoreCase).IsMatch(name)
            : string.Equals(name, pattern, StringComparison.Ordinal);
}
