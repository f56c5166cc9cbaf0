import { ProviderNotFound } from "@/components/providers/provider-detail";

export default function NotFound() {
  return <ProviderNotFound />;
}
