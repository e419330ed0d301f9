/**
 * Reads the first rows of a bronze Avro file without reading the rest: the container's header
 * (schema, codec), then records until enough are decoded, then the file is closed. Spark writes
 * Avro with the snappy codec, which avsc leaves to the caller: snappyjs decompresses it.
 */
import * as avro from "avsc";
import { uncompress as snappyUncompress } from "snappyjs";
import * as zlib from "zlib";

/** Avro's snappy blocks end with a 4-byte CRC of the uncompressed data, which is not checked here. */
const CODECS = {
    null: (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => cb(null, buf),
    snappy: (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => {
        try {
            cb(null, snappyUncompress(buf.subarray(0, buf.length - 4)));
        } catch (e) {
            cb(e as Error);
        }
    },
    deflate: (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => zlib.inflateRaw(buf, cb),
};

/** Decimal from big-endian two's complement bytes, as exact text (`12.30`). */
export function decimalText(bytes: Buffer, scale: number): string {
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    if (bytes.length > 0 && bytes[0] & 0x80) value -= 1n << BigInt(bytes.length * 8);
    const negative = value < 0n;
    const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
    const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return negative ? `-${text}` : text;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function timestampText(epochMicros: number): string {
    const d = new Date(Math.floor(epochMicros / 1000));
    const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
    const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    return micros ? `${base}.${pad(micros, 6).replace(/0+$/, "")}` : base;
}

/** Read-only logical types, so previews show `2008-01-05 14:00:00` and `12.30` instead of raw numbers and bytes. */
class DecimalType extends avro.types.LogicalType {
    private readonly scale: number;
    constructor(schema: avro.Schema, opts?: unknown) {
        super(schema, opts);
        this.scale = Number((schema as { scale?: number }).scale ?? 0);
    }
    protected _fromValue(val: Buffer): string {
        return decimalText(val, this.scale);
    }
}
class TimestampMicrosType extends avro.types.LogicalType {
    protected _fromValue(val: number): string {
        return timestampText(val);
    }
}
class TimestampMillisType extends avro.types.LogicalType {
    protected _fromValue(val: number): string {
        return timestampText(val * 1000);
    }
}
class DateType extends avro.types.LogicalType {
    protected _fromValue(val: number): string {
        return timestampText(val * 86_400_000_000).slice(0, 10);
    }
}

const LOGICAL_TYPES = {
    decimal: DecimalType,
    "timestamp-micros": TimestampMicrosType,
    "timestamp-millis": TimestampMillisType,
    date: DateType,
} as unknown as Record<string, new (schema: avro.Schema, opts?: unknown) => avro.types.LogicalType>;

export interface AvroPreview {
    /** Column name and Avro type (`long`, `["null","string"]`, `timestamp-micros`, ...). */
    columns: { name: string; type: string }[];
    rows: Record<string, unknown>[];
    codec: string;
}

function typeLabel(schema: unknown): string {
    if (typeof schema === "string") return schema;
    if (Array.isArray(schema)) {
        const branches = schema.map(typeLabel).filter((t) => t !== "null");
        return `${branches.join(" | ")}${schema.length > branches.length ? " (nullable)" : ""}`;
    }
    const s = schema as { type?: unknown; logicalType?: string; precision?: number; scale?: number };
    if (s.logicalType === "decimal") return `decimal(${s.precision},${s.scale ?? 0})`;
    return s.logicalType ?? typeLabel(s.type);
}

/** The schema and the first `limit` records of an Avro container file; stops reading once it has them. */
export function previewAvro(file: string, limit: number): Promise<AvroPreview> {
    return new Promise((resolve, reject) => {
        const rows: Record<string, unknown>[] = [];
        let columns: AvroPreview["columns"] = [];
        let codec = "null";
        let settled = false;
        const decoder = avro.createFileDecoder(file, {
            codecs: CODECS,
            parseHook: (schema) => avro.Type.forSchema(schema, { logicalTypes: LOGICAL_TYPES }),
        });
        const finish = () => {
            if (settled) return;
            settled = true;
            decoder.destroy();
            resolve({ columns, rows, codec });
        };
        decoder.on("metadata", (_type: avro.Type, fileCodec: string, header: { meta: Record<string, Buffer> }) => {
            codec = fileCodec;
            // The writer's schema as written (logical types included), not avsc's re-export of it.
            const schema = JSON.parse(header.meta["avro.schema"].toString()) as { fields?: { name: string; type: unknown }[] };
            const fields = schema.fields ?? [];
            columns = fields.map((f) => ({ name: f.name, type: typeLabel(f.type) }));
            if (limit === 0) finish();
        });
        decoder.on("data", (record: Record<string, unknown>) => {
            if (settled) return;
            rows.push({ ...record });
            if (rows.length >= limit) finish();
        });
        decoder.on("end", finish);
        decoder.on("error", (e: Error) => {
            if (settled) return;
            settled = true;
            reject(new Error(`cannot read Avro file ${file}: ${e.message}`));
        });
    });
}
