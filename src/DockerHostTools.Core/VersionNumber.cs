using System.Globalization;

namespace DockerHostTools.Core;

/// <summary>Version text as the tools print it (<c>28.5.2+dfsg4</c>, <c>2.3.1</c>).</summary>
public static class VersionNumber
{
    /// <summary>The major version, or null when the text does not start with one.</summary>
    public static int? Major(string? version) =>
        version is not null && int.TryParse(version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : null;
}
