namespace Supervision.Files;

/// <summary>Why a case-file operation was refused. Each maps to one HTTP status (<see cref="CaseFileErrors.HttpStatus"/>).</summary>
public enum CaseFileError
{
    /// <summary>The content is larger than the policy allows for its kind (413).</summary>
    TooLarge,

    /// <summary>The content has no bytes (400).</summary>
    Empty,

    /// <summary>The content's sniffed type is not one the policy accepts for the kind (415).</summary>
    TypeNotAllowed,

    /// <summary>The declared content type or the file name's extension disagrees with the sniffed type (415).</summary>
    TypeMismatch,

    /// <summary>The file name is empty after sanitising, too long, or tries path traversal (400).</summary>
    BadName,

    /// <summary>The file is a sealed legal record: it cannot be replaced or deleted (409).</summary>
    Immutable,

    /// <summary>No such file under that owner (404). Also the answer for a malformed file id.</summary>
    NotFound,

    /// <summary>The download link's expiry has passed (403).</summary>
    LinkExpired,

    /// <summary>The download link is malformed, tampered with, or issued to someone else (403).</summary>
    LinkInvalid,
}

/// <summary>
/// A refused case-file operation. <see cref="Reason"/> is what the API maps to a status; <see cref="Exception.Message"/>
/// says what the person can do about it (it never contains storage internals, so it can go into problem+json as is).
/// </summary>
public sealed class CaseFileException : Exception
{
    public CaseFileException(CaseFileError reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    public CaseFileException()
    {
    }

    public CaseFileException(string message)
        : base(message)
    {
    }

    public CaseFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CaseFileError Reason { get; }
}

/// <summary>The HTTP mapping, kept beside the reasons so the API and the docs cannot drift apart.</summary>
public static class CaseFileErrors
{
    /// <summary>The status code for problem+json: 413, 400, 415, 409, 404 or 403.</summary>
    public static int HttpStatus(this CaseFileError reason) => reason switch
    {
        CaseFileError.TooLarge => 413,
        CaseFileError.Empty => 400,
        CaseFileError.BadName => 400,
        CaseFileError.TypeNotAllowed => 415,
        CaseFileError.TypeMismatch => 415,
        CaseFileError.Immutable => 409,
        CaseFileError.NotFound => 404,
        CaseFileError.LinkExpired => 403,
        CaseFileError.LinkInvalid => 403,
        _ => 400,
    };

    /// <summary>A stable, kebab-case problem type suffix (e.g. <c>file-too-large</c>).</summary>
    public static string ProblemType(this CaseFileError reason) => reason switch
    {
        CaseFileError.TooLarge => "file-too-large",
        CaseFileError.Empty => "file-empty",
        CaseFileError.TypeNotAllowed => "file-type-not-allowed",
        CaseFileError.TypeMismatch => "file-type-mismatch",
        CaseFileError.BadName => "file-bad-name",
        CaseFileError.Immutable => "file-immutable",
        CaseFileError.NotFound => "file-not-found",
        CaseFileError.LinkExpired => "file-link-expired",
        CaseFileError.LinkInvalid => "file-link-invalid",
        _ => "file-error",
    };
}
