/// Sample Gemini notification bodies for `sluice send-test`, shaped like the Batch API,
/// interactions (Deep Research) and video generation events.
enum SampleEvents {
    static let types = ["batch.succeeded", "batch.failed", "interaction.completed", "video.generated"]

    static func body(for type: String) -> [UInt8] {
        let json: String =
            switch type {
            case "batch.succeeded":
                #"{"type":"batch.succeeded","data":{"batch":"batches/sample123","state":"JOB_STATE_SUCCEEDED","output_file_uri":"files/acme-sample-output"}}"#
            case "batch.failed":
                #"{"type":"batch.failed","data":{"batch":"batches/sample123","state":"JOB_STATE_FAILED","error":{"code":13,"message":"internal"}}}"#
            case "interaction.completed":
                #"{"type":"interaction.completed","data":{"interaction":"interactions/sample456","agent":"deep-research","status":"completed"}}"#
            case "video.generated":
                #"{"type":"video.generated","data":{"operation":"operations/sample789","video_uri":"files/sample-video.mp4"}}"#
            default:
                // Any type text (a backslash or a line break included) as a proper JSON string.
                JSONOutput.line(["type": type, "data": [String: Any]()])
            }
        return Array(json.utf8)
    }
}
