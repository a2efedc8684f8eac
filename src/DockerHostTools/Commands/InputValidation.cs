using System.Management.Automation;

namespace DockerHostTools.Commands;

/// <summary>
/// A path argument (a socket, a root folder): not blank, no NUL or other control character. A failed check is
/// PowerShell's constant ParameterArgumentValidationError, never an ArgumentException from deeper down.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateHostPathAttribute : ValidateArgumentsAttribute
{
    /// <summary>True when the path must start with '/'.</summary>
    public bool Absolute { get; set; }

    /// <inheritdoc />
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = (arguments is PSObject p ? p.BaseObject : arguments) as string;
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ValidationMetadataException("The path is empty or only white space.");
        }

        if (value.Any(char.IsControl))
        {
            throw new ValidationMetadataException("The path contains a control character (NUL, newline, tab...).");
        }

        if (Absolute && !value.StartsWith('/'))
        {
            throw new ValidationMetadataException($"'{value}' is not an absolute path.");
        }
    }
}

/// <summary>A Linux network interface name: 1 to 15 characters, no '/', white space, control character or ':', not '.' or '..'.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateInterfaceNameAttribute : ValidateArgumentsAttribute
{
    /// <summary>IFNAMSIZ less the terminating NUL.</summary>
    public const int MaxLength = 15;

    /// <inheritdoc />
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = (arguments is PSObject p ? p.BaseObject : arguments) as string;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || value is "." or ".." ||
            value.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ValidationMetadataException(
                $"'{value?.Replace("\0", "\\0", StringComparison.Ordinal)}' is not a network interface name (1-{MaxLength} characters, no '/', ':', white space or control characters).");
        }
    }
}

/// <summary>Wildcard patterns typed by a user: a malformed one (an unclosed '[') is an error with a constant id, not a WildcardPatternException.</summary>
internal static class Wildcards
{
    /// <summary>The error id of a malformed pattern.</summary>
    public const string InvalidWildcardPattern = nameof(InvalidWildcardPattern);

    /// <summary>The compiled pattern, or an ErrorRecord with id <see cref="InvalidWildcardPattern"/>.</summary>
    public static WildcardPattern? TryCreate(string? pattern, out ErrorRecord? error)
    {
        error = null;
        var text = pattern ?? string.Empty;
        try
        {
            var compiled = new WildcardPattern(text, WildcardOptions.IgnoreCase);
            _ = compiled.IsMatch(string.Empty); // the pattern is parsed on first use
            return compiled;
        }
        catch (WildcardPatternException ex)
        {
            error = new ErrorRecord(new ArgumentException($"'{text}' is not a valid wildcard pattern: {ex.Message} Escape '[' as '`['.", ex),
                InvalidWildcardPattern, ErrorCategory.InvalidArgument, text);
            return null;
        }
    }
}
