import Foundation

/// C copies of Swift strings for one native call: `put` returns a pointer
/// valid until the arena is freed (it wipes and frees them in `deinit`).
/// A string with a NUL character is refused before the call, naming the field.
final class CStrings {
    private var buffers: [UnsafeMutableBufferPointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafePointer<CChar>?>] = []

    func put(_ field: String, _ value: String?) throws -> UnsafePointer<CChar>? {
        guard let value else { return nil }
        let bytes = Array(value.utf8)
        guard !bytes.contains(0) else {
            throw MxregError(local: .invalidArgument, "\(field) contains a NUL character")
        }
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count + 1)
        for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
        buffers.append(buffer)
        return UnsafePointer(buffer.baseAddress)
    }

    func putArray(_ field: String, _ values: [String]) throws -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(values.count, 1))
        arrays.append(array)
        for (index, value) in values.enumerated() { array[index] = try put("\(field)[\(index)]", value) }
        return UnsafePointer(array)
    }

    deinit {
        // Passwords and tokens pass through here: wipe before freeing.
        for buffer in buffers {
            buffer.update(repeating: 0)
            buffer.deallocate()
        }
        arrays.forEach { $0.deallocate() }
    }
}
